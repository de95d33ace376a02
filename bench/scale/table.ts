/** Plain-text tables (markdown pipe syntax, columns padded) for the bench's console output. */

export type Cell = string | number;

export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...text.map(line)].join('\n');
}

export const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
export const mib = (v: number): string => v.toFixed(0);
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
export const percent = (f: number): string => `${(f * 100).toFixed(0)}%`;
/** Giga floating-point operations, 3 significant digits. */
export const gflop = (flops: number): string => (flops / 1e9).toPrecision(3);
export const count = (n: number): string => n.toLocaleString('en-US');
