/** Integer label columns out of .npy arrays: target vectors y [N] and bias tables b [N] or [N, k]. */
import { DatasetError } from './errors';
import { NpyArray, formatShape } from './npy';
import { NpyDtypeName } from './npy-dtype';

const INTEGER_DTYPES: readonly NpyDtypeName[] = ['u1', 'i1', 'i2', 'i4', 'i8', 'bool'];
const INT32_MAX = 2147483647;

/** Rows and columns of a label array: [N] is one column, [N, k] is k columns. */
export function labelTableShape(array: NpyArray, file: string, what: string, allowTable: boolean): { rows: number; columns: number } {
  if (!INTEGER_DTYPES.includes(array.dtype)) {
    throw new DatasetError(file, `${what}: expected an integer dtype (u1, i1, i2, i4, i8 or bool), got ${array.dtype}; save labels with a.astype(np.int64)`);
  }
  const { shape } = array;
  if (shape.length === 1) return { rows: shape[0], columns: 1 };
  if (allowTable && shape.length === 2) {
    if (shape[1] < 1) throw new DatasetError(file, `${what}: expected at least one column, got shape ${formatShape(shape)}`);
    return { rows: shape[0], columns: shape[1] };
  }
  throw new DatasetError(file, `${what}: expected shape (N,)${allowTable ? ' or (N, k)' : ''}, got ${formatShape(shape)}`);
}

/** One column of a [rows, columns] integer array, as labels that must be ≥ 0 (and fit int32). */
export function labelColumn(array: NpyArray, rows: number, columns: number, column: number, file: string, what: string): Int32Array {
  const labels = new Int32Array(rows);
  const data = array.data;
  for (let row = 0; row < rows; row++) {
    const raw = data[row * columns + column];
    // i8 arrives as bigint; compare before converting so that huge values are reported exactly.
    if (raw < 0 || raw > INT32_MAX) {
      throw new DatasetError(file, `${what}: expected a non-negative integer label, got ${raw}`, row);
    }
    labels[row] = Number(raw);
  }
  return labels;
}
