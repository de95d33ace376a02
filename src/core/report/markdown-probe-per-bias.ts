/**
 * report.md's bias-probe table for datasets with several bias attributes: the probe on the bottleneck for every
 * attribute, vanilla → subnetwork. Nothing when the probe has no per-attribute entries (one attribute, or an older
 * report), so single-attribute reports read as before.
 */
import { formatPercent } from './format';
import { escapeMarkdown, markdownTable } from './markdown-text';
import type { BiseReport } from './schema';

export const PROBE_PER_BIAS_COLUMNS = ['Attribute', 'Linear probe, vanilla → subnetwork', 'MLP probe, vanilla → subnetwork', 'Chance'] as const;

/** One row per bias attribute (attribute 0 from the probe's top-level fields); the name unescaped, the numbers formatted. */
export interface ProbePerBiasRow {
  name: string;
  numbers: [linear: string, mlp: string, chance: string];
}

/** The rows shared with the panel; [] when the report has no per-attribute probe. */
export function probePerBiasRows(r: BiseReport): ProbePerBiasRow[] {
  const v = r.probe?.vanilla;
  const s = r.probe?.subnetwork;
  if (!v?.perBias || !s?.perBias || v.perBias.length === 0) return [];
  const arrow = (a: number, b: number): string => `${formatPercent(a)} → ${formatPercent(b)}`;
  const name = (k: number): string => r.data.biasAttributes[k] ?? `attribute ${k}`;
  const first: ProbePerBiasRow = { name: name(0), numbers: [arrow(v.linearAccuracy, s.linearAccuracy), arrow(v.mlpAccuracy, s.mlpAccuracy), formatPercent(v.chance)] };
  return [
    first,
    ...v.perBias.map((b, i): ProbePerBiasRow => {
      const t = s.perBias![i];
      return { name: name(b.attribute), numbers: [arrow(b.linearAccuracy, t.linearAccuracy), arrow(b.mlpAccuracy, t.mlpAccuracy), formatPercent(b.chance)] };
    }),
  ];
}

/** The sentence before the table (plain text; the caller escapes it for its format). */
export function probePerBiasIntro(r: BiseReport): string {
  return `The table above probes ${r.data.biasAttributes[0] ?? 'the first bias attribute'}; here the probe on the bottleneck for every bias attribute (the per-layer probes are for the first only).`;
}

export function probePerBiasSection(r: BiseReport): string[] {
  const rows = probePerBiasRows(r);
  if (rows.length === 0) return [];
  return [
    '### Bias probe per attribute',
    '',
    escapeMarkdown(probePerBiasIntro(r)),
    '',
    markdownTable(
      [...PROBE_PER_BIAS_COLUMNS],
      rows.map((row) => [escapeMarkdown(row.name), ...row.numbers]),
      ['left', 'right', 'right', 'right'],
    ),
  ];
}
