/**
 * Disjoint splits of exact sizes whose class proportions follow the whole set's. Each class is shuffled and its
 * i-th member placed at the fractional position (i + ½)/n_class; merging all classes by that position gives one
 * order in which every prefix is stratified to within about one sample per class, and consecutive slices of it
 * are the splits.
 */
import { DatasetError } from './errors';
import { membersByClass } from './class-members';
import { Rng, shuffleInPlace } from './random';

/** All rows, in an order whose every prefix has (nearly) the overall class proportions. */
export function stratifiedOrder(labels: Int32Array, numClasses: number, rng: Rng, source = 'labels'): Int32Array {
  const entries: { position: number; cls: number; row: number }[] = [];
  membersByClass(labels, numClasses, source).forEach((rows, cls) => {
    shuffleInPlace(rows, rng);
    rows.forEach((row, i) => entries.push({ position: (i + 0.5) / rows.length, cls, row }));
  });
  entries.sort((a, b) => a.position - b.position || a.cls - b.cls);
  return Int32Array.from(entries, (e) => e.row);
}

/** Row indices of each split, in the order of `sizes`; rows beyond their sum are left out. */
export function stratifiedSplit(labels: Int32Array, numClasses: number, sizes: readonly number[], rng: Rng, source = 'labels'): Int32Array[] {
  sizes.forEach((size, k) => {
    if (!Number.isInteger(size) || size < 0) throw new DatasetError(source, `split ${k}: expected a non-negative integer size, got ${size}`);
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > labels.length) throw new DatasetError(source, `expected split sizes [${sizes.join(', ')}] to sum to at most the ${labels.length} samples available, got ${total}`);
  const order = stratifiedOrder(labels, numClasses, rng, source);
  let start = 0;
  return sizes.map((size) => order.slice(start, (start += size)));
}
