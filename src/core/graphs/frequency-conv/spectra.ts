/**
 * The constant matrices of a convolution computed in the frequency domain (see lower.ts), in float64 then
 * rounded once to float32. Circular correlation of length P equals the zero-padded one when P is large enough
 * (plan.ts); a real input needs only the first ⌊P/2⌋+1 bins along the last axis (Hermitian symmetry).
 */
import { FrequencyPlan } from './plan';

const TWO_PI = 2 * Math.PI;

/** Bins kept along an axis transformed real -> complex. */
export const halfBins = (p: number): number => Math.floor(p / 2) + 1;

/**
 * Real-to-complex DFT along W, applied from the left to rows w: [2·Kw, W], rows (part, k) with part 0 = cos,
 * 1 = −sin of 2π·k·w/Pw.
 */
export function forwardRealRows(width: number, p: number): Float32Array {
  const k = halfBins(p);
  const m = new Float32Array(2 * k * width);
  for (let f = 0; f < k; f++) {
    for (let w = 0; w < width; w++) {
      const a = (TWO_PI * ((f * w) % p)) / p;
      m[f * width + w] = Math.cos(a);
      m[(k + f) * width + w] = -Math.sin(a);
    }
  }
  return m;
}

/**
 * Forward DFT along H of a complex input: [2·P, 2·H], rows (part, f) for the P output bins, columns (h, part)
 * as the W stage lays them out. (xr + i·xi)·e^{−iα} = (xr·cos α + xi·sin α) + i(xi·cos α − xr·sin α).
 */
export function forwardComplexRows(inRows: number, p: number): Float32Array {
  const m = new Float32Array(2 * p * 2 * inRows);
  const width = 2 * inRows;
  for (let f = 0; f < p; f++) {
    for (let h = 0; h < inRows; h++) {
      const a = (TWO_PI * ((f * h) % p)) / p;
      const [c, s] = [Math.cos(a), Math.sin(a)];
      m[f * width + 2 * h] = c;
      m[f * width + 2 * h + 1] = s;
      m[(p + f) * width + 2 * h] = -s;
      m[(p + f) * width + 2 * h + 1] = c;
    }
  }
  return m;
}

/**
 * Inverse along W from the half spectrum, complex to complex: [2 (output part), 2·Kw (input part, k), Wo],
 * scaled by `scale` (the 1/(Ph·Pw) of the inverse). Bins other than 0 and the Nyquist bin count twice: they
 * stand for their mirror, and the real part is taken after the inverse along H (idft along H keeps only it).
 */
export function inverseHalfColumns(outCols: number, p: number, scale: number): Float32Array {
  const k = halfBins(p);
  const m = new Float32Array(2 * 2 * k * outCols);
  const at = (outPart: number, inPart: number, f: number, j: number): number => ((outPart * 2 + inPart) * k + f) * outCols + j;
  for (let f = 0; f < k; f++) {
    const weight = (f === 0 || 2 * f === p ? 1 : 2) * scale;
    for (let j = 0; j < outCols; j++) {
      const a = (TWO_PI * ((f * j) % p)) / p;
      const [c, s] = [weight * Math.cos(a), weight * Math.sin(a)];
      // (or + i·oi)(c + i·s) = (or·c − oi·s) + i(or·s + oi·c)
      m[at(0, 0, f, j)] = c;
      m[at(0, 1, f, j)] = -s;
      m[at(1, 0, f, j)] = s;
      m[at(1, 1, f, j)] = c;
    }
  }
  return m;
}

/** Real part of the inverse along H: [outRows, 2·P] with columns (part, ph): cos for re, −sin for im. */
export function inverseRealRowsH(outRows: number, p: number): Float32Array {
  const m = new Float32Array(outRows * 2 * p);
  for (let i = 0; i < outRows; i++) {
    for (let f = 0; f < p; f++) {
      const a = (TWO_PI * ((f * i) % p)) / p;
      m[i * 2 * p + f] = Math.cos(a);
      m[i * 2 * p + p + f] = -Math.sin(a);
    }
  }
  return m;
}

/**
 * The kernel's spectrum arranged for the channel-mixing MatMuls, one tensor per part of the input spectrum:
 * [Ph, 2 (output part), Kw, C, M]. Correlation with kernel w (tap (u, v) at offset (u·dh − padTop, v·dw −
 * padLeft)) multiplies the input's spectrum by K = Σ w·e^{+iθ}, θ = 2π(fh·a/Ph + fw·b/Pw):
 * out re = xr·kr − xi·ki, out im = xr·ki + xi·kr, so fromRe = (kr, ki) and fromIm = (−ki, kr).
 */
export function kernelSpectrum(weight: Float32Array, plan: FrequencyPlan): { fromRe: Float32Array; fromIm: Float32Array } {
  const { inChannels: c, outChannels: m, kernel, dilations, padBegin, periods } = plan;
  const [kh, kwTaps] = kernel;
  const [ph, pw] = periods;
  const kw = halfBins(pw);
  const fromRe = new Float32Array(ph * 2 * kw * c * m);
  const fromIm = new Float32Array(fromRe.length);
  const twiddles = (p: number, bins: number, taps: number, dilation: number, pad: number): { cos: Float64Array; sin: Float64Array } => {
    const cos = new Float64Array(bins * taps);
    const sin = new Float64Array(bins * taps);
    for (let f = 0; f < bins; f++) {
      for (let t = 0; t < taps; t++) {
        const a = (TWO_PI * f * (t * dilation - pad)) / p;
        cos[f * taps + t] = Math.cos(a);
        sin[f * taps + t] = Math.sin(a);
      }
    }
    return { cos, sin };
  };
  const th = twiddles(ph, ph, kh, dilations[0], padBegin[0]);
  const tw = twiddles(pw, kw, kwTaps, dilations[1], padBegin[1]);
  // Loops run over contiguous (c, m) planes: a per-(m, c) loop order scatters writes over the large spectra.
  const plane = c * m;
  const taps = new Float64Array(kh * kwTaps * plane); // [u, v, c, m]
  for (let mi = 0; mi < m; mi++) {
    for (let ci = 0; ci < c; ci++) {
      const from = (mi * c + ci) * kh * kwTaps;
      for (let t = 0; t < kh * kwTaps; t++) taps[t * plane + ci * m + mi] = weight[from + t];
    }
  }
  // Along the kernel's columns: rows[u, fw] = Σ_v w[u, v]·e^{iθ_w}.
  const rowRe = new Float64Array(kh * kw * plane);
  const rowIm = new Float64Array(kh * kw * plane);
  for (let u = 0; u < kh; u++) {
    for (let fw = 0; fw < kw; fw++) {
      const at = (u * kw + fw) * plane;
      for (let v = 0; v < kwTaps; v++) {
        const [cw, sw] = [tw.cos[fw * kwTaps + v], tw.sin[fw * kwTaps + v]];
        const src = (u * kwTaps + v) * plane;
        for (let i = 0; i < plane; i++) {
          rowRe[at + i] += cw * taps[src + i];
          rowIm[at + i] += sw * taps[src + i];
        }
      }
    }
  }
  // Along its rows: K[fh, fw] = Σ_u rows[u, fw]·e^{iθ_h}; written as fromRe = (kr, ki), fromIm = (−ki, kr).
  const re = new Float64Array(plane);
  const im = new Float64Array(plane);
  for (let fh = 0; fh < ph; fh++) {
    for (let fw = 0; fw < kw; fw++) {
      re.fill(0);
      im.fill(0);
      for (let u = 0; u < kh; u++) {
        const [ch, sh] = [th.cos[fh * kh + u], th.sin[fh * kh + u]];
        const src = (u * kw + fw) * plane;
        for (let i = 0; i < plane; i++) {
          re[i] += ch * rowRe[src + i] - sh * rowIm[src + i];
          im[i] += sh * rowRe[src + i] + ch * rowIm[src + i];
        }
      }
      const realPart = ((fh * 2) * kw + fw) * plane;
      const imagPart = ((fh * 2 + 1) * kw + fw) * plane;
      for (let i = 0; i < plane; i++) {
        fromRe[realPart + i] = re[i];
        fromRe[imagPart + i] = im[i];
        fromIm[realPart + i] = -im[i];
        fromIm[imagPart + i] = re[i];
      }
    }
  }
  return { fromRe, fromIm };
}
