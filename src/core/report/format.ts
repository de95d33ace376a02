/**
 * Number formatting shared by report.md and the figures, so that one quantity reads the same everywhere:
 * accuracies as percentages with one decimal, differences in percentage points, counts with thousands
 * separators, FLOPs with a k/M/G suffix. Locale-independent on purpose: a report must not change with the
 * machine that wrote it.
 */

const MISSING = '—';

/** 0.3344 → "33.4%". */
export function formatPercent(fraction: number | null | undefined, decimals = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  return `${(100 * fraction).toFixed(decimals)}%`;
}

/** A difference of two fractions in percentage points: 0.378 → "+37.8 pts". */
export function formatPoints(deltaFraction: number): string {
  if (!Number.isFinite(deltaFraction)) return MISSING;
  const points = Number((100 * deltaFraction).toFixed(1));
  // Normalise -0.0 so that "no change" never reads as a loss.
  const sign = points > 0 ? '+' : points < 0 ? '-' : '±';
  return `${sign}${Math.abs(points).toFixed(1)} pts`;
}

/** 1234567 → "1,234,567" (integers; other numbers are rounded). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  const rounded = Math.round(n);
  const digits = String(Math.abs(rounded));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return rounded < 0 ? `-${out}` : out;
}

const FLOP_UNITS: readonly { readonly scale: number; readonly suffix: string; readonly decimals: number }[] = [
  { scale: 1e3, suffix: 'k', decimals: 1 },
  { scale: 1e6, suffix: 'M', decimals: 1 },
  { scale: 1e9, suffix: 'G', decimals: 2 },
  { scale: 1e12, suffix: 'T', decimals: 2 },
];

/** 3687936 → "3.7 M", 1.82e9 → "1.82 G"; the unit is picked after rounding so that 999,960 reads "1.0 M". */
export function formatFlops(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  if (Math.abs(n) < 1e3) return formatCount(n);
  for (let i = 0; i < FLOP_UNITS.length; i++) {
    const u = FLOP_UNITS[i];
    const text = (n / u.scale).toFixed(u.decimals);
    if (Math.abs(Number(text)) < 1000 || i === FLOP_UNITS.length - 1) return `${text} ${u.suffix}`;
  }
  return formatCount(n);
}

/** Share of `before` that is gone in `after`: (1000, 375) → "62.5%". */
export function formatRemoved(before: number, after: number): string {
  return before > 0 ? formatPercent((before - after) / before) : MISSING;
}

/** A real-valued statistic such as a loss or a mutual information: fixed decimals. */
export function formatDecimal(n: number | null | undefined, decimals = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return MISSING;
  const text = n.toFixed(decimals);
  return Number(text) === 0 ? (0).toFixed(decimals) : text;
}

/** 75.4 → "1 min 15 s"; short durations keep one decimal. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return MISSING;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(s).padStart(2, '0')} s`;
}

/** A hyperparameter as written: numbers in their shortest exact form (1e-4 stays exact), null as "none". */
export function formatConfigValue(value: number | string | boolean | null): string {
  if (value === null) return 'none';
  return String(value);
}
