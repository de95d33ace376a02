/**
 * `npm run bench:run`: what a user waits for. One whole `bise extract` (through the CLI, --json, in a child
 * process) at a fixed short schedule, next to the authors' BISE loop re-implemented in PyTorch
 * (bench/torch-bise-loop.py, Debian's torch) on the same weights, the same arrays (exported by
 * bench/whole-run/export-data.ts; the data hash is checked against our report's), the same schedule, batch size
 * and seed, on the same machine in the same run. Prints wall time, ms per step and the ratio, where our time went
 * (bench/whole-run/timeline.ts, from the events the job emits; the TypeScript parts of the step timed apart by
 * bench/whole-run/step-pieces.ts), the PyTorch loop's phases, and both subnetworks' unbiased test accuracy.
 *
 *   npm run bench:run -- [--seeds 1,2,3] [--train-size 3000] [--rho 0.97] [--threads N] [--no-torch] …
 *
 * (all flags: bench/whole-run/options.ts). Default: the demo CNN on BiasedMNIST ρ = 0.97, 3,000 training
 * images, τ period 1, 5 head epochs, 10 τ steps, batch 100, seed 0. Run it on an idle machine: another busy
 * process changes every figure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportBenchData, GatesFile } from './whole-run/export-data';
import { biasedMnistSpec, dataFlags, OURS_ONLY_FLAGS, parseWholeRunArgs, scheduleFlags, tauMinFor, WholeRunOptions } from './whole-run/options';
import { runOurs, runTorch } from './whole-run/run-sides';
import { oursTimeline } from './whole-run/timeline';
import { timeStepPieces } from './whole-run/step-pieces';
import { formatWholeRun, SeedResult } from './whole-run/report';

async function main(o: WholeRunOptions): Promise<void> {
  const work = o.work ? path.resolve(o.work) : fs.mkdtempSync(path.join(os.tmpdir(), 'bise-whole-run-'));
  try {
    const model = path.resolve(o.model);
    const data = await exportBenchData(model, biasedMnistSpec(o), path.join(work, 'data'));
    const gates = JSON.parse(fs.readFileSync(data.gatesFile, 'utf8')) as GatesFile;
    console.log(`# Whole BISE run: ${path.relative(process.cwd(), model)} on BiasedMNIST ρ = ${o.rho} (train ${data.sizes.train}, val ${data.sizes.val}, test ${data.sizes.test}; data seed ${o.dataSeed})`);
    console.log(`schedule: τ 1 halving every ${o.tauPeriod} epoch(s), ${o.tauSteps} τ steps (τ_min ${tauMinFor(o.tauSteps).toPrecision(3)}), ${o.auxEpochs} head epochs, batch ${o.batchSize}, mask init ${o.maskInit}; ${o.threads} threads each; ${os.cpus()[0]?.model ?? 'unknown CPU'}, load average ${os.loadavg()[0].toFixed(1)}`);
    const results: SeedResult[] = [];
    for (const seed of o.seeds) {
      const outDir = path.join(work, `ours-seed${seed}`);
      process.stderr.write(`seed ${seed}: bise extract …\n`);
      const ours = await runOurs(model, [...scheduleFlags(o, seed), ...OURS_ONLY_FLAGS, ...dataFlags(o)], outDir);
      if (ours.report.data.sha256 !== data.sha256) {
        throw new Error(`the extract run read other data (sha256 ${ours.report.data.sha256}) than was exported for PyTorch (${data.sha256}); the comparison would not be on the same arrays`);
      }
      let torch: SeedResult['torch'] = 'skipped (--no-torch)';
      if (o.torch) {
        process.stderr.write(`seed ${seed}: PyTorch loop …\n`);
        const flags = [...scheduleFlags(o, seed), '--reweighting', o.reweighting, ...(o.authorsEvals ? ['--authors-evals'] : []), ...o.torchFlags];
        torch = runTorch(model, data.dir, data.gatesFile, flags, o.work ? path.join(work, `torch-seed${seed}.json`) : undefined);
      }
      results.push({ seed, ours, timeline: oursTimeline(ours.events, ours.wallMs), torch });
    }
    const pieces = timeStepPieces({ batch: o.batchSize, classes: data.numClasses, biasClasses: data.biasClasses[0], zDim: data.zDim, groupUnits: gates.groups.map((g) => g.units), sampleValues: data.sampleValues, trainSize: data.sizes.train });
    console.log(`data: the same arrays on both sides (sha256 ${data.sha256.slice(0, 16)}…); PyTorch cross-entropy weights: ${o.torchFlags.some((f) => f === '--as-ours' || f.startsWith('--reweighting')) ? 'as the PyTorch loop flags below set them' : o.reweighting === 'nominal' ? "the authors' nominal-ρ form" : 'group frequencies, as ours'}${o.torchFlags.length ? `; PyTorch loop flags: ${o.torchFlags.join(' ')}` : ''}\n`);
    console.log(formatWholeRun(results, pieces));
  } finally {
    if (!o.work) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  let options: WholeRunOptions;
  try {
    options = parseWholeRunArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  main(options).catch((e) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
}
