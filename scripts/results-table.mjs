// Prints the Markdown rows of docs/RESULTS.md from the JSON lines that scripts/results-biased-mnist.sh wrote.
// Usage: node scripts/results-table.mjs results/*.jsonl
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const pct = (x) => (100 * x).toFixed(1);
console.log('| run | vanilla unbiased | vanilla conflicting | BISE unbiased | BISE aligned | BISE conflicting | random | magnitude | units kept | params kept | probe on z, vanilla → BISE |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const file of process.argv.slice(2)) {
  const result = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'result');
  if (!result) continue;
  const { vanilla, subnetwork, baselines } = result.metrics;
  const by = (name) => baselines.find((b) => b.name === name)?.metrics.unbiasedAccuracy ?? NaN;
  const probe = result.probe ? `${pct(result.probe.vanilla.linearAccuracy)} → ${pct(result.probe.subnetwork.linearAccuracy)}` : '–';
  console.log(
    `| ${basename(file, '.jsonl')} | ${pct(vanilla.unbiasedAccuracy)} | ${pct(vanilla.conflictingAccuracy)} | ${pct(subnetwork.unbiasedAccuracy)} | ${pct(subnetwork.alignedAccuracy)} | ${pct(subnetwork.conflictingAccuracy)} | ${pct(by('random'))} | ${pct(by('magnitude'))} | ${result.units.after}/${result.units.before} | ${result.params.after.toLocaleString('en-US')}/${result.params.before.toLocaleString('en-US')} | ${probe} |`,
  );
}
