/** Grouping sample rows by class, the first step of every per-class rule (colouring, stratified splits). */
import { DatasetError } from './errors';

/** Row indices of each class, ascending. */
export function membersByClass(labels: Int32Array, numClasses: number, source = 'labels'): Int32Array[] {
  const sizes = new Int32Array(numClasses);
  labels.forEach((label, row) => {
    if (label < 0 || label >= numClasses) throw new DatasetError(source, `expected a class label in [0, ${numClasses}), got ${label}`, row);
    sizes[label]++;
  });
  const members = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(numClasses);
  labels.forEach((label, row) => {
    members[label][filled[label]++] = row;
  });
  return members;
}
