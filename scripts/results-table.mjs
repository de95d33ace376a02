// Prints the Markdown tables of docs/RESULTS.md from finished runs, and draws their SVG plots.
//
//   node scripts/results-table.mjs results/*.jsonl
//       one row per run, from the JSON lines of scripts/results-biased-mnist.sh (the ρ table)
//   node --import tsx scripts/results-table.mjs sweep <config key> [--svg FILE] RUN...
//       runs grouped by a swept setting (gamma, biasNoise, data.rho), mean ± sd over seeds, and a line plot of
//       unbiased accuracy (vanilla, BISE, random, magnitude) and BISE's units removed against it
//   node --import tsx scripts/results-table.mjs multi-bias RUN...
//       per-bias-attribute accuracy and the aligned/conflicting cells (Multi-Color MNIST)
//   node --import tsx scripts/results-table.mjs bias-labels RUN...
//       one row per run: where the training bias labels came from (given / identified / noisy), how well they
//       matched the dataset's, and the accuracies (the unsupervised-mode table)
//   node scripts/results-table.mjs finetuned MODEL.train.json...
//       the test accuracies `bise finetune` / `bise train` recorded beside their models (BISE+FT vs vanilla+FT)
//
// A RUN is a report folder (…/x.bise), its report.json, or the .jsonl beside it (read as …/x.bise/report.json);
// reports are read with parseReport, so a damaged or foreign file stops the script with its path.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const pct = (x) => (100 * x).toFixed(1);

function legacyRows(files) {
  console.log('| run | vanilla unbiased | vanilla conflicting | BISE unbiased | BISE aligned | BISE conflicting | random | magnitude | units kept | params kept | probe on z, vanilla → BISE |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const file of files) {
    const result = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'result');
    if (!result) continue;
    const { vanilla, subnetwork, baselines } = result.metrics;
    const by = (name) => baselines.find((b) => b.name === name)?.metrics.unbiasedAccuracy ?? NaN;
    const probe = result.probe ? `${pct(result.probe.vanilla.linearAccuracy)} → ${pct(result.probe.subnetwork.linearAccuracy)}` : '–';
    console.log(
      `| ${basename(file, '.jsonl')} | ${pct(vanilla.unbiasedAccuracy)} | ${pct(vanilla.conflictingAccuracy)} | ${pct(subnetwork.unbiasedAccuracy)} | ${pct(subnetwork.alignedAccuracy)} | ${pct(subnetwork.conflictingAccuracy)} | ${pct(by('random'))} | ${pct(by('magnitude'))} | ${result.units.after}/${result.units.before} | ${result.params.after.toLocaleString('en-US')}/${result.params.before.toLocaleString('en-US')} | ${probe} |`,
    );
  }
}

function reportPath(run) {
  if (run.endsWith('.jsonl')) return join(dirname(run), `${basename(run, '.jsonl')}.bise`, 'report.json');
  return run.endsWith('.json') ? run : join(run, 'report.json');
}

async function loadReports(runs) {
  const { parseReport } = await import('../src/core/report/schema.ts');
  return runs.map((run) => {
    const file = reportPath(run);
    if (!existsSync(file)) throw new Error(`${run}: no report at ${file}`);
    return parseReport(readFileSync(file, 'utf8'), file);
  });
}

const LABELS = { gamma: 'γ', biasNoise: 'bias-label noise p', 'data.rho': 'ρ' };
// Settings plotted on a linear x axis; the others (uneven values such as ρ = 0.97 … 0.997) at even spacing.
const LINEAR_X = new Set(['biasNoise']);
const withSd = (s) => (s.n > 1 ? `${pct(s.mean)} ± ${pct(s.sd)}` : pct(s.mean));

async function sweep(key, svgFile, runs) {
  const { summariseSweep, configNumber } = await import('../src/core/report/sweep-summary.ts');
  const { renderLinePlot } = await import('../src/core/report/svg/line-plot.ts');
  const { SERIES_COLOURS, SUBNETWORK_COLOUR, VANILLA_COLOUR } = await import('../src/core/report/svg/theme.ts');
  const reports = await loadReports(runs);
  const points = summariseSweep(reports, (r) => configNumber(r, key));
  const label = LABELS[key] ?? key;
  console.log(`| ${label} | runs | vanilla | BISE unbiased | BISE aligned | BISE conflicting | random | magnitude | units removed | params removed | FLOPs removed | probe on z (BISE) |`);
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of points) {
    const base = (name) => (p.baselines[name] ? withSd(p.baselines[name]) : '–');
    console.log(
      `| ${p.x} | ${p.runs} | ${withSd(p.vanilla)} | ${withSd(p.subnetwork.unbiased)} | ${withSd(p.subnetwork.aligned)} | ${withSd(p.subnetwork.conflicting)} | ${base('random')} | ${base('magnitude')} | ${withSd(p.unitsRemoved)} | ${withSd(p.paramsRemoved)} | ${withSd(p.flopsRemoved)} | ${p.probe ? withSd(p.probe) : '–'} |`,
    );
  }
  if (!svgFile) return;
  const series = [
    { name: 'vanilla', colour: VANILLA_COLOUR, points: points.map((p) => [p.x, p.vanilla.mean]) },
    { name: 'BISE', colour: SUBNETWORK_COLOUR, points: points.map((p) => [p.x, p.subnetwork.unbiased.mean]) },
    { name: 'random', colour: SERIES_COLOURS[1], points: points.map((p) => [p.x, p.baselines.random?.mean ?? null]) },
    { name: 'magnitude', colour: SERIES_COLOURS[2], points: points.map((p) => [p.x, p.baselines.magnitude?.mean ?? null]) },
    { name: 'BISE units removed', colour: SERIES_COLOURS[3], points: points.map((p) => [p.x, p.unitsRemoved.mean]) },
  ];
  const seeds = Math.max(...points.map((p) => p.runs));
  const svg = renderLinePlot({
    title: `Unbiased test accuracy vs ${label}${seeds > 1 ? ` (mean of ${seeds} seeds)` : ''}`,
    description: `Unbiased test accuracy of the vanilla model, the BISE subnetwork and random and magnitude pruning at the same per-layer sparsity, and the fraction of units BISE removed, for ${label} = ${points.map((p) => p.x).join(', ')}. Drawn by scripts/results-table.mjs from ${reports.length} report.json files.`,
    xLabel: label,
    ...(LINEAR_X.has(key) ? { xAxis: 'linear', xTicks: points.map((p) => ({ value: p.x, label: String(p.x) })) } : { xAxis: 'categorical' }),
    series,
    yDomain: [0, 1],
    formatY: (v) => `${Math.round(100 * v)}%`,
  });
  writeFileSync(svgFile, svg);
  console.log(`\n(wrote ${svgFile})`);
}

// One table per report, or with several reports (seeds of one setting) the mean ± sd of each number.
async function multiBias(runs) {
  const { comparedModels } = await import('../src/core/report/comparisons.ts');
  const { cellCode } = await import('../src/core/report/markdown-per-bias.ts');
  const { stat } = await import('../src/core/report/sweep-summary.ts');
  const reports = await loadReports(runs);
  reports.forEach((r, i) => {
    if (!comparedModels(r.metrics).every((m) => m.metrics.perBias)) throw new Error(`${runs[i]}: a version-1 report has no per-bias metrics; rerun bise extract`);
  });
  const first = reports[0];
  const names = first.data.biasAttributes;
  const models = comparedModels(first.metrics).map((m) => m.name);
  // The value of `pick` for model `m` in every report, summarised.
  const over = (m, pick) => withSd(stat(reports.map((r) => pick(comparedModels(r.metrics)[m].metrics))));
  console.log(`${first.data.name}, ${first.model.path}, seed${reports.length > 1 ? 's' : ''} ${reports.map((r) => r.seed).join(', ')}\n`);
  console.log(`| model | unbiased | ${names.flatMap((n) => [`${n}: aligned`, `${n}: conflicting`]).join(' | ')} |`);
  console.log(`|---|---:|${names.map(() => '---:|---:').join('|')}|`);
  models.forEach((name, m) =>
    console.log(`| ${name} | ${over(m, (x) => x.unbiasedAccuracy)} | ${names.flatMap((_, k) => [over(m, (x) => x.perBias[k].alignedAccuracy), over(m, (x) => x.perBias[k].conflictingAccuracy)]).join(' | ')} |`),
  );
  const cells = first.metrics.vanilla.alignmentCells;
  if (cells) {
    console.log(`\nA = aligned, C = conflicting (${names.join(', ')})\n`);
    console.log(`| model | ${cells.map(cellCode).join(' | ')} |`);
    console.log(`|---|${cells.map(() => '---:').join('|')}|`);
    models.forEach((name, m) => console.log(`| ${name} | ${cells.map((_, c) => over(m, (x) => x.alignmentCells[c].accuracy)).join(' | ')} |`));
    console.log(`| test samples | ${cells.map((c) => c.samples).join(' | ')} |`);
  }
  const removed = (f) => withSd(stat(reports.map((r) => (r.pruning[`${f}Before`] - r.pruning[`${f}After`]) / r.pruning[`${f}Before`])));
  console.log(`\nremoved: units ${removed('units')}%, parameters ${removed('params')}%, FLOPs ${removed('flops')}% (of ${first.pruning.unitsBefore} units, ${first.pruning.paramsBefore} parameters)`);
  const probed = reports.filter((r) => r.probe);
  if (probed.length > 0) {
    const probe = (side) => withSd(stat(probed.map((r) => r.probe[side].linearAccuracy)));
    console.log(`probe on z (${names[0]}), linear: vanilla ${probe('vanilla')} → BISE ${probe('subnetwork')} (chance ${pct(probed[0].probe.vanilla.chance)})`);
  }
  console.log(`run time: ${stat(reports.map((r) => r.timings.totalSeconds)).mean.toFixed(0)} s per run`);
}

async function biasLabels(runs) {
  const { stat } = await import('../src/core/report/sweep-summary.ts');
  const reports = await loadReports(runs);
  // One row per (ρ, where the labels came from), mean ± sd over the runs (seeds) in it.
  const groups = new Map();
  for (const r of reports) {
    const noise = typeof r.config.biasNoise === 'number' && r.config.biasNoise > 0 ? `, ${pct(r.config.biasNoise)}% flipped` : '';
    const source = (r.config.biasFrom === 'identify' ? 'identified (none given)' : 'given') + noise;
    const key = `${r.config['data.rho'] ?? '–'}|${source}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  console.log('| ρ | bias labels | runs | agreement | conflicting recall | conflicting precision | vanilla | BISE unbiased | BISE aligned | BISE conflicting | random | magnitude | units removed |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const rows = [...groups].map(([key, rs]) => {
    const [rho, source] = key.split('|');
    const over = (f) => withSd(stat(rs.map(f)));
    const quality = (f) => over((r) => (r.biasLabels?.[0] ? f(r.biasLabels[0]) : 1));
    const base = (name) => (r) => r.metrics.baselines.find((b) => b.name === name)?.metrics.unbiasedAccuracy ?? NaN;
    const s = (f) => over((r) => f(r.metrics.subnetwork));
    const cells = [
      rho, source, rs.length,
      quality((q) => q.agreement), quality((q) => q.conflictingRecall), quality((q) => q.conflictingPrecision),
      over((r) => r.metrics.vanilla.unbiasedAccuracy), s((m) => m.unbiasedAccuracy), s((m) => m.alignedAccuracy), s((m) => m.conflictingAccuracy),
      over(base('random')), over(base('magnitude')), over((r) => (r.pruning.unitsBefore - r.pruning.unitsAfter) / r.pruning.unitsBefore),
    ];
    return { rho: Number(rho), source, line: `| ${cells.join(' | ')} |` };
  });
  rows.sort((a, b) => a.rho - b.rho || a.source.localeCompare(b.source)).forEach((row) => console.log(row.line));
}

function finetuned(files) {
  console.log('| ρ | model | unbiased | aligned | conflicting | epochs | seconds |');
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  const rows = files.map((file) => {
    const run = JSON.parse(readFileSync(file, 'utf8'));
    if (!run.test) throw new Error(`${file}: no test accuracies (not written by bise train/finetune?)`);
    const rho = / --rho (\S+)/.exec(run.command ?? '')?.[1] ?? '–';
    const name = basename(file).replace(/\.onnx\.train\.json$/, '');
    const seconds = (run.history ?? []).reduce((t, h) => t + (h.seconds ?? 0), 0);
    const line = `| ${rho} | ${name} | ${pct(run.test.unbiasedAccuracy)} | ${pct(run.test.alignedAccuracy)} | ${pct(run.test.conflictingAccuracy)} | ${run.config?.epochs ?? '–'} | ${seconds.toFixed(0)} |`;
    return { rho: Number(rho), name, line };
  });
  rows.sort((a, b) => a.rho - b.rho || a.name.localeCompare(b.name)).forEach((row) => console.log(row.line));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'sweep') {
  const [key, ...more] = rest;
  const svgAt = more.indexOf('--svg');
  const svgFile = svgAt >= 0 ? more[svgAt + 1] : undefined;
  const runs = svgAt >= 0 ? more.filter((_, i) => i !== svgAt && i !== svgAt + 1) : more;
  await sweep(key, svgFile, runs);
} else if (mode === 'multi-bias') {
  await multiBias(rest);
} else if (mode === 'bias-labels') {
  await biasLabels(rest);
} else if (mode === 'finetuned') {
  finetuned(rest);
} else {
  legacyRows(process.argv.slice(2));
}
