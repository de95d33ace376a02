/**
 * The model view's markup as pure functions of the worker's description (no DOM, so the tests run them in Node).
 * Every name comes from the model file, which anyone may have written: each is escaped, so a node called
 * `<script>` is text. No inline styles or handlers (the CSP forbids them); the buttons are wired by model-view.ts.
 */
import { formatCount, formatFlops } from '../src/core/report/format';
import type { DeclaredDim, ModelDescription, ModelViewCost, ModelViewUnits, TensorSignature } from '../src/protocol/model-view';
import { escapeHtml } from './escape-html';

/** The button ids model-view.ts listens on, and the message each sends. */
export const ACTIONS = [
  { id: 'audit', label: 'Audit for bias', secondary: false },
  { id: 'extract', label: 'Extract unbiased subnetwork', secondary: true },
] as const;

const fileName = (p: string): string => p.split(/[\\/]/).pop() || p;

export function renderLoading(modelPath: string): string {
  return `<h1>${escapeHtml(fileName(modelPath))}</h1><p class="muted">Reading the model in the BISE worker…</p>`;
}

export function renderUnreadable(modelPath: string, error: string): string {
  return `<h1>${escapeHtml(fileName(modelPath))}</h1><div class="banner" role="alert">BISE cannot read this file: ${escapeHtml(error)}</div>`;
}

/** 396633 → "396.6 kB (396,633 bytes)". */
export function formatBytes(bytes: number): string {
  const units: readonly [number, string][] = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  const [scale, unit] = units.find(([s]) => bytes >= s) ?? [1, ''];
  return scale === 1 ? `${formatCount(bytes)} bytes` : `${(bytes / scale).toFixed(1)} ${unit} (${formatCount(bytes)} bytes)`;
}

const dimText = (d: DeclaredDim): string => (d === null ? '?' : String(d));

/** "[batch, 3, 28, 28]"; "not declared" for a value without a shape. */
export function shapeText(shape: readonly DeclaredDim[] | null): string {
  return shape === null ? 'not declared' : `[${shape.map(dimText).join(', ')}]`;
}

/** "axis 0 ('batch')", "axis 1 (unnamed)"; '' when every dimension is fixed. */
export function dynamicAxes(shape: readonly DeclaredDim[] | null): string {
  if (shape === null) return '';
  return shape
    .flatMap((d, axis) => (typeof d === 'number' ? [] : [`axis ${axis} (${typeof d === 'string' && d !== '' ? `'${d}'` : 'unnamed'})`]))
    .join(', ');
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const cell = (tag: 'th' | 'td', c: string, i: number): string => `<${tag}${numeric.includes(i) ? ' class="number"' : ''}>${c}</${tag}>`;
  return `<table><thead><tr>${head.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('')}</tbody></table>`;
}

const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;

function signatures(values: readonly TensorSignature[]): string {
  return table(
    ['Name', 'Type', 'Shape', 'Dynamic axes'],
    values.map((v) => [code(v.name), escapeHtml(v.dtype), code(shapeText(v.shape)), escapeHtml(dynamicAxes(v.shape) || 'none')]),
  );
}

/** What the FLOPs count and at which shapes, as `bise info` says it. */
export function costText(cost: ModelViewCost): string {
  const ops = cost.counted.length > 1 ? `${cost.counted.slice(0, -1).join(', ')} and ${cost.counted[cost.counted.length - 1]}` : cost.counted.join('');
  const at = cost.inputs.map((v) => `${v.name} [${v.dims.join(', ')}]`).join(', ');
  const tokens = cost.sequenceLength !== undefined ? ` of ${cost.sequenceLength} tokens (more for longer sequences)` : '';
  return `${formatFlops(cost.flops)} per sample${tokens}: 2 × ${formatCount(cost.multiplyAdds)} multiply-adds of ${ops} at ${at}; other ops are not counted`;
}

function facts(d: ModelDescription): string {
  const producer = [d.producer.name, d.producer.version].filter((s) => s !== '').join(' ');
  const rows: [string, string][] = [
    ['File size', escapeHtml(formatBytes(d.fileBytes))],
    ['Producer', producer === '' ? '<span class="muted">not recorded</span>' : escapeHtml(producer)],
    ['IR version', String(d.irVersion)],
    [d.opsets.length === 1 ? 'Opset' : 'Opsets', d.opsets.map((o) => escapeHtml(`${o.domain} ${o.version}`)).join(', ')],
    ['Parameters', formatCount(d.parameters)],
    ['FLOPs', d.cost ? escapeHtml(costText(d.cost)) : '<span class="muted">not counted: the engine cannot infer this model’s shapes (see above)</span>'],
  ];
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function unitsSection(u: ModelViewUnits): string {
  const total = u.groups.reduce((s, g) => s + g.units, 0);
  const parts = [
    '<h2>What BISE gates</h2>',
    `<dl class="facts"><dt>Classifier</dt><dd>${code(u.classifier)}</dd><dt>Bottleneck z</dt><dd>${code(u.bottleneck)}${u.bottleneckPooling ? ` <span class="muted">(pooled by ${escapeHtml(u.bottleneckPooling)} over its spatial axes)</span>` : ''}</dd>` +
      `<dt>Gated layers</dt><dd>${u.groups.length} dependency groups, ${formatCount(total)} units</dd></dl>`,
    table(
      ['Group', 'Units', 'Layers', 'Carried through', 'Gates on'],
      u.groups.map((g) => [String(g.id), formatCount(g.units), g.producers.map(code).join(' + '), g.followers.map(code).join(', ') || '<span class="muted">—</span>', g.sites.map(code).join(', ')]),
      [0, 1],
    ),
  ];
  if (u.skipped.length > 0) {
    parts.push('<h3>Not gated</h3>', table(['Node', 'Why'], u.skipped.map((s) => [code(s.node), escapeHtml(s.reason)])));
  }
  return parts.join('');
}

/** The whole view of a model that parsed; `trusted`: audit and extract may run (not in Restricted Mode). */
export function renderDescription(d: ModelDescription, trusted: boolean): string {
  const disabled = trusted ? '' : ' disabled';
  const parts = [
    `<h1>${escapeHtml(fileName(d.path))}</h1>`,
    `<p class="muted">${code(d.path)}</p>`,
    `<div class="actions">${ACTIONS.map((a) => `<button id="${a.id}" type="button"${a.secondary ? ' class="secondary"' : ''}${disabled}>${a.label}</button>`).join('')}</div>`,
  ];
  if (!trusted) parts.push('<div class="info">This workspace is in Restricted Mode: auditing and extracting run the model and read its data, so they are off. Trust the workspace to use them.</div>');
  if (d.problem !== null) parts.push(`<div class="warning" role="alert">BISE cannot use this model as it is: ${escapeHtml(d.problem)}</div>`);
  parts.push('<h2>Model</h2>', facts(d));
  parts.push('<h2>Inputs</h2>', signatures(d.inputs), '<h2>Outputs</h2>', signatures(d.outputs));
  if (d.unsupported.length > 0) {
    parts.push(`<h2>Nodes the engine cannot handle (${d.unsupported.length})</h2>`, table(['Op', 'Node', 'Why'], d.unsupported.map((n) => [code(n.op), code(n.node), escapeHtml(n.reason)])));
  }
  if (d.units) parts.push(unitsSection(d.units));
  parts.push(`<h2>Ops (${formatCount(d.ops.reduce((s, o) => s + o.count, 0))} nodes)</h2>`, `<p>${d.ops.map((o) => `${code(o.op)}&nbsp;×${o.count}`).join(', ')}</p>`);
  return parts.join('\n');
}
