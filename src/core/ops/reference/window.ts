/** Index tables shared by convolution and pooling: which input position each (output, kernel tap) pair reads. */
import { sizeOf } from './tensor';

export interface WindowTable {
  /** table[o * taps + k]: flat spatial index read by output position o at kernel tap k, or −1 when padding. */
  readonly table: Int32Array;
  readonly taps: number;
  readonly positions: number;
}

function unflatten(flat: number, dims: readonly number[], into: number[]): void {
  for (let axis = dims.length - 1; axis >= 0; axis--) {
    into[axis] = flat % dims[axis];
    flat = Math.floor(flat / dims[axis]);
  }
}

/**
 * For every position `o` of `windowSpatial` and tap `k` of `kernel`, the position o·stride − pad + k·dilation of
 * `targetSpatial`, or −1 outside it. Conv and pooling map output windows onto the input with it;
 * ConvTranspose maps input positions onto the output.
 */
export function windowTable(
  windowSpatial: readonly number[],
  kernel: readonly number[],
  targetSpatial: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  padsBegin: readonly number[],
): WindowTable {
  const r = windowSpatial.length;
  const positions = sizeOf(windowSpatial);
  const taps = sizeOf(kernel);
  const table = new Int32Array(positions * taps);
  const o = new Array<number>(r);
  const k = new Array<number>(r);
  for (let op = 0; op < positions; op++) {
    unflatten(op, windowSpatial, o);
    for (let kp = 0; kp < taps; kp++) {
      unflatten(kp, kernel, k);
      let flat = 0;
      for (let axis = 0; axis < r; axis++) {
        const at = o[axis] * strides[axis] - padsBegin[axis] + k[axis] * dilations[axis];
        if (at < 0 || at >= targetSpatial[axis]) {
          flat = -1;
          break;
        }
        flat = flat * targetSpatial[axis] + at;
      }
      table[op * taps + kp] = flat;
    }
  }
  return { table, taps, positions };
}
