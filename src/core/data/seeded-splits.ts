/**
 * Seeded, stratified train/val/test splits of user data by fractions. Rows are stratified by their joint
 * (target, bias…) group, not by target alone, so that the rare bias-conflicting samples BISE is evaluated on
 * reach every split in proportion.
 */
import { DatasetError } from './errors';
import { Splits } from './digit-splits';
import { createRng } from './random';
import { stratifiedSplit } from './stratified-split';

export interface JointGroups {
  /** Group id of each row, in [0, count), numbered in order of first appearance. */
  readonly groups: Int32Array;
  readonly count: number;
}

/** Numbers the distinct tuples (columns[0][i], columns[1][i], …). */
export function jointGroups(columns: readonly Int32Array[]): JointGroups {
  const rows = columns[0]?.length ?? 0;
  const ids = new Map<string, number>();
  const groups = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const key = columns.map((column) => column[i]).join(',');
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    groups[i] = id;
  }
  return { groups, count: ids.size };
}

export interface SplitFractions {
  /** Share of the rows for val and for test, each in [0, 1); train gets the rest. */
  readonly val: number;
  readonly test: number;
}

/**
 * Row indices (ascending) of each split. Sizes are round(fraction · N); a split asked for with a positive
 * fraction must come out non-empty, and train always must.
 */
export function splitByFractions(groups: JointGroups, fractions: SplitFractions, seed: number, source: string): Splits<Int32Array> {
  const total = groups.groups.length;
  const sizeOf = (what: 'val' | 'test', fraction: number): number => {
    if (!(Number.isFinite(fraction) && fraction >= 0 && fraction < 1)) {
      throw new DatasetError(source, `${what}Fraction: expected a number in [0, 1), got ${fraction}`);
    }
    const size = Math.round(fraction * total);
    if (fraction > 0 && size === 0) {
      throw new DatasetError(source, `${what}Fraction ${fraction} of ${total} rows gives an empty ${what} split: expected more rows or a larger fraction`);
    }
    return size;
  };
  const testSize = sizeOf('test', fractions.test);
  const valSize = sizeOf('val', fractions.val);
  const trainSize = total - testSize - valSize;
  if (trainSize < 1) {
    throw new DatasetError(source, `valFraction ${fractions.val} and testFraction ${fractions.test} of ${total} rows leave no training rows`);
  }
  // Small splits first: every prefix of the stratified order is stratified, the remainder only nearly so.
  const [test, val, train] = stratifiedSplit(groups.groups, groups.count, [testSize, valSize, trainSize], createRng(seed), source);
  const ascending = (rows: Int32Array): Int32Array => rows.sort();
  return { train: ascending(train), val: ascending(val), test: ascending(test) };
}
