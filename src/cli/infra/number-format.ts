/** Short, fixed-looking number formats for one-line status output. */

export function formatPercent(fraction: number | null): string {
  return fraction === null || !Number.isFinite(fraction) ? '–' : `${(fraction * 100).toFixed(1)}%`;
}

/** Four significant digits, exponent only for very small or large values (a loss of 3e-6 must not print as 0.000). */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs < 1e-3 || abs >= 1e5) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

/** 42s, 3m05s, 1h02m: ETAs and elapsed times. */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms < 500) return '<1s'; // '0s' would read as 'finished'
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
