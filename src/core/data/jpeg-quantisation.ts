/**
 * JPEG-like compression of one grey plane: each 8×8 block (edge blocks padded by repeating the last row/column)
 * goes through the orthonormal 2-D DCT-II, its coefficients are rounded to multiples of the JPEG luminance
 * quantisation table scaled for a quality setting (the IJG formula), and the block is transformed back. Low
 * qualities leave the blocky, ringing artefacts of a heavily compressed JPEG. No chroma, no entropy coding:
 * only the lossy step matters for the look.
 */

const BLOCK = 8;

/** The JPEG standard's luminance quantisation table (ITU-T T.81, Annex K, Table K.1), row-major. */
const LUMINANCE_TABLE: readonly number[] = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77,
  24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** cos((2x + 1)·u·π / 16) · c(u), the orthonormal DCT-II basis: BASIS[u·8 + x]. */
const BASIS: Float64Array = (() => {
  const basis = new Float64Array(BLOCK * BLOCK);
  for (let u = 0; u < BLOCK; u++) {
    const scale = u === 0 ? Math.sqrt(1 / BLOCK) : Math.sqrt(2 / BLOCK);
    for (let x = 0; x < BLOCK; x++) basis[u * BLOCK + x] = scale * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * BLOCK));
  }
  return basis;
})();

/** The quantisation table for an IJG quality in [1, 100] (50 = the table itself, lower = coarser). */
export function quantisationTable(quality: number): Float64Array {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`JPEG quality: expected an integer in [1, 100], got ${quality}`);
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return Float64Array.from(LUMINANCE_TABLE, (q) => Math.max(1, Math.floor((q * scale + 50) / 100)));
}

/** Compresses and decompresses a plane of intensities in [0, 1]; returns a new plane clamped to [0, 1]. */
export function jpegRoundTrip(plane: Float32Array, height: number, width: number, quality: number): Float32Array {
  if (plane.length !== height * width) throw new RangeError(`jpegRoundTrip: expected ${height}×${width} = ${height * width} values, got ${plane.length}`);
  const table = quantisationTable(quality);
  const out = new Float32Array(plane.length);
  const block = new Float64Array(BLOCK * BLOCK);
  for (let top = 0; top < height; top += BLOCK) {
    for (let left = 0; left < width; left += BLOCK) {
      for (let y = 0; y < BLOCK; y++) {
        for (let x = 0; x < BLOCK; x++) {
          // JPEG works on 8-bit samples shifted to be centred on 0.
          block[y * BLOCK + x] = plane[Math.min(top + y, height - 1) * width + Math.min(left + x, width - 1)] * 255 - 128;
        }
      }
      const coefficients = transform(block, false);
      for (let k = 0; k < coefficients.length; k++) coefficients[k] = Math.round(coefficients[k] / table[k]) * table[k];
      const restored = transform(coefficients, true);
      for (let y = 0; y < BLOCK && top + y < height; y++) {
        for (let x = 0; x < BLOCK && left + x < width; x++) {
          out[(top + y) * width + left + x] = Math.min(1, Math.max(0, (restored[y * BLOCK + x] + 128) / 255));
        }
      }
    }
  }
  return out;
}

/** 2-D DCT-II of an 8×8 block (or its inverse, the DCT-III, when `inverse`); the basis is orthonormal. */
function transform(input: Float64Array, inverse: boolean): Float64Array {
  const temp = new Float64Array(BLOCK * BLOCK);
  const out = new Float64Array(BLOCK * BLOCK);
  // Rows, then columns; forward: X[u] = Σx B[u,x]·x[x]; inverse: x[x] = Σu B[u,x]·X[u].
  const weight = (freq: number, pos: number): number => BASIS[freq * BLOCK + pos];
  for (let r = 0; r < BLOCK; r++) {
    for (let i = 0; i < BLOCK; i++) {
      let sum = 0;
      for (let j = 0; j < BLOCK; j++) sum += (inverse ? weight(j, i) : weight(i, j)) * input[r * BLOCK + j];
      temp[r * BLOCK + i] = sum;
    }
  }
  for (let c = 0; c < BLOCK; c++) {
    for (let i = 0; i < BLOCK; i++) {
      let sum = 0;
      for (let j = 0; j < BLOCK; j++) sum += (inverse ? weight(j, i) : weight(i, j)) * temp[j * BLOCK + c];
      out[i * BLOCK + c] = sum;
    }
  }
  return out;
}
