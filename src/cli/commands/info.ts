import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { describeAndCheckModel, formatInputs } from '../../core/jobs/info-job';
import { describeCost } from '../../core/onnx/model-cost';
import { UNITS_FLAG } from './shared-flags';

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'show what the engine sees in MODEL: classifier, bottleneck z, prunable units and their dependency groups',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'an ONNX model' }],
    flags: [{ name: 'bottleneck', type: 'string', help: 'tensor name of the bottleneck z (default: detected)' }, UNITS_FLAG],
  }),
});

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(infoCommand, argv, async (ctx) => {
    const info = await describeAndCheckModel(ctx.args.model, ctx.flags.bottleneck, undefined, ctx.flags.units);
    const lines = [
      `${info.path}: IR ${info.irVersion}, opset ${info.opset}${info.producer ? `, from ${info.producer}` : ''}`,
      `${formatInputs(info)}`,
      `${info.parameters.toLocaleString('en-US')} parameters`,
      describeCost(info.cost),
      `ops: ${Object.entries(info.ops).map(([op, n]) => `${op}×${n}`).join(' ')}`,
      `classifier: ${info.classifier || '(none)'}; bottleneck z: ${info.bottleneck}${info.bottleneckPooling ? ` (pooled by ${info.bottleneckPooling} over its spatial axes, as the head pools the classifier's outputs)` : ''}`,
      `${info.groups.length} gate groups, ${info.groups.reduce((s, g) => s + g.units, 0)} units:`,
      ...info.groups.map((g) => `  group ${g.id}: ${g.units} units, ${g.producers.join(' + ')}${g.followers.length > 0 ? `, carried through ${g.followers.join(', ')}` : ''} (gates on ${g.sites.join(', ')})`),
      ...info.skipped.map((s) => `  not gated: ${s.node}: ${s.reason}`),
      `checked in ${info.preflight.seconds.toFixed(1)} s: gated forward and backward graphs build; a random subnetwork (${info.preflight.keptUnits} of ${info.preflight.totalUnits} units) prunes, exports and matches the gated model${info.preflight.sequenceLengths ? ` at sequence lengths ${info.preflight.sequenceLengths.join(' and ')}` : ''}`,
    ];
    ctx.reporter.print(lines.join('\n'));
    return info;
  });
}
