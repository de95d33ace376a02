import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runProbeJob } from '../../core/jobs/probe-job';
import { ProbeSummary } from '../../core/bise/assess';
import { DATA_FLAGS, RUNTIME_FLAGS, dataSpec, percent, runtimeOptions } from './shared-flags';

export const probeCommand = defineCommand({
  name: 'probe',
  summary: 'latent bias probe: how well fresh classifiers predict the bias from z and from each gated layer (vanilla, and the subnetwork given --masks)',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'the vanilla ONNX model' }],
    flags: [
      { name: 'masks', type: 'path', help: 'masks.json from a bise extract report folder, to probe the subnetwork too' },
      { name: 'epochs', type: 'integer', default: 30, min: 1, help: 'probe training epochs' },
      { name: 'seed', type: 'integer', default: 0, help: 'probe seed' },
      { name: 'bottleneck', type: 'string', help: 'tensor name of z (default: detected)' },
      ...DATA_FLAGS,
      ...RUNTIME_FLAGS,
    ],
  }),
});

const scores = (p: Omit<ProbeSummary, 'perLayer'>): string => `linear ${percent(p.linearAccuracy)}, MLP ${percent(p.mlpAccuracy)}, MI ${p.mutualInformation.toFixed(3)} (chance ${percent(p.chance)})`;

/** Attribute 0 on z and per gated layer; with several bias attributes, each further one on z. */
function describe(name: string, p: ProbeSummary, attributes: readonly string[]): string[] {
  const several = attributes.length > 1;
  return [
    `${name}${several ? ` (${attributes[0]})` : ''}: ${scores(p)}`,
    ...p.perLayer.map((l) => `  ${l.label}: ${percent(l.accuracy)}`),
    ...(p.perBias ?? []).map((b) => `${name} (${attributes[b.attribute] ?? `bias ${b.attribute}`}): ${scores(b)}`),
  ];
}

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(probeCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const r = await runProbeJob({ modelPath: ctx.args.model, masksPath: f.masks, data: dataSpec(f), seed: f.seed, epochs: f.epochs, bottleneck: f.bottleneck, ...runtimeOptions(f) });
    ctx.reporter.print([...describe('vanilla', r.vanilla, r.biasAttributes), ...(r.subnetwork ? describe('subnetwork', r.subnetwork, r.biasAttributes) : [])].join('\n'));
    return r;
  });
}
