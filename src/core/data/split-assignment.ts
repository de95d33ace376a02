/**
 * Which rows of a table dataset (an image CSV, a text file, a labels table) go to train, val and test: where a
 * split column is, as it says (val carved out of train when it names no val rows, as for a .npy folder without
 * val files); without one, by seeded fractions stratified by (target, bias…).
 */
import type { DatasetMeta } from './dataset';
import { Splits } from './digit-splits';
import { DatasetError } from './errors';
import { deriveSeed } from './random';
import { jointGroups, splitByFractions } from './seeded-splits';

export interface SplitOptions {
  /** Without a split column: share of rows for val (default 0.1); with one but no val rows: share of train carved out. */
  readonly valFraction?: number;
  /** Without a split column: share of rows for test (default 0.2). */
  readonly testFraction?: number;
  /** Seed of the split (default 0). */
  readonly seed?: number;
}

/** The split column's value for each row (null where a JSONL row has none), with the line it is on, for errors. */
export interface SplitColumn {
  readonly name: string;
  readonly values: readonly (string | null)[];
  readonly lines: readonly number[];
}

export interface SplitAssignment {
  /** Row indices of each split, ascending. */
  readonly rows: Splits<Int32Array>;
  /** How the rows were split, for the datasets' metadata. */
  readonly meta: DatasetMeta;
}

const DEFAULT_VAL_FRACTION = 0.1;
const DEFAULT_TEST_FRACTION = 0.2;
const SPLIT_NAMES = ['train', 'val', 'test'] as const;
type SplitName = (typeof SPLIT_NAMES)[number];

/**
 * Assigns rows given their label columns (target first), the split column if any, and the options. `seedScope`
 * names the reader in the derived seed ('image-csv', 'text-data'), so each keeps the splits it always made.
 */
export function assignSplits(labels: readonly Int32Array[], split: SplitColumn | undefined, options: SplitOptions, file: string, seedScope: string): SplitAssignment {
  const valFraction = options.valFraction ?? DEFAULT_VAL_FRACTION;
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  const seed = options.seed ?? 0;
  const splitSeed = deriveSeed(seed, seedScope, 'split');
  const groupsOf = (members: Int32Array) => jointGroups(labels.map((column) => pickValues(column, members)));
  if (split === undefined) {
    const all = Int32Array.from(labels[0], (_, i) => i);
    return { rows: splitByFractions(groupsOf(all), { val: valFraction, test: testFraction }, splitSeed, file), meta: { splitBy: 'seed', valFraction, testFraction, seed } };
  }
  const members: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  split.values.forEach((raw, i) => {
    const value = (raw ?? '').trim().toLowerCase();
    if (!(SPLIT_NAMES as readonly string[]).includes(value)) {
      throw new DatasetError(file, `column "${split.name}": expected train, val or test, got ${raw === null ? 'nothing' : JSON.stringify(raw)}`, split.lines[i]);
    }
    members[value as SplitName].push(i);
  });
  for (const name of ['train', 'test'] as const) {
    if (members[name].length === 0) throw new DatasetError(file, `column "${split.name}": expected at least one ${name} row, got none`);
  }
  const train = Int32Array.from(members.train);
  const test = Int32Array.from(members.test);
  if (members.val.length > 0) return { rows: { train, val: Int32Array.from(members.val), test }, meta: { splitBy: 'column' } };
  const carved = splitByFractions(groupsOf(train), { val: valFraction, test: 0 }, splitSeed, file);
  return {
    rows: { train: pickValues(train, carved.train), val: pickValues(train, carved.val), test },
    meta: { splitBy: 'column', val: { from: 'train', valFraction, seed } },
  };
}

/** values[rows[0]], values[rows[1]], … */
export function pickValues(values: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (row) => values[row]);
}
