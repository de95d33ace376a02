/**
 * The dense matrix of a Conv or ConvTranspose on fixed spatial sizes: A [C·H·W, M·Ho·Wo] with y = x · A per
 * sample (x and y flattened NCHW). Row (c, iy, ix), column (o, oy, ox); a tap that would read padding adds nothing.
 */
import { DensePlan } from './plan';

/** `weight`: Conv [M, C/G, kh, kw] or ConvTranspose [C, M/G, kh, kw], row-major. */
export function denseConvMatrix(plan: DensePlan, weight: Float32Array): Float32Array {
  const { inChannels: c, outChannels: m, group, inSize, outSize, kernel, strides, dilations, padBegin } = plan;
  const [h, w] = inSize;
  const [ho, wo] = outSize;
  const [kh, kw] = kernel;
  const cols = m * ho * wo;
  const out = new Float32Array(c * h * w * cols);
  const cg = c / group;
  const mg = m / group;
  // Output position (oy, ox) reads input (oy·s − pad + ky·d, …) for Conv; ConvTranspose is the same relation with
  // input and output swapped (input (iy, ix) writes output iy·s − pad + ky·d).
  const add = (ci: number, iy: number, ix: number, o: number, oy: number, ox: number, value: number): void => {
    out[((ci * h + iy) * w + ix) * cols + (o * ho + oy) * wo + ox] += value;
  };
  for (let g = 0; g < group; g++) {
    for (let ol = 0; ol < mg; ol++) {
      const o = g * mg + ol;
      for (let cl = 0; cl < cg; cl++) {
        const ci = g * cg + cl;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const value = plan.kind === 'Conv' ? weight[((o * cg + cl) * kh + ky) * kw + kx] : weight[((ci * mg + ol) * kh + ky) * kw + kx];
            if (value === 0) continue;
            if (plan.kind === 'Conv') {
              for (let oy = 0; oy < ho; oy++) {
                const iy = oy * strides[0] - padBegin[0] + ky * dilations[0];
                if (iy < 0 || iy >= h) continue;
                for (let ox = 0; ox < wo; ox++) {
                  const ix = ox * strides[1] - padBegin[1] + kx * dilations[1];
                  if (ix >= 0 && ix < w) add(ci, iy, ix, o, oy, ox, value);
                }
              }
            } else {
              for (let iy = 0; iy < h; iy++) {
                const oy = iy * strides[0] - padBegin[0] + ky * dilations[0];
                if (oy < 0 || oy >= ho) continue;
                for (let ix = 0; ix < w; ix++) {
                  const ox = ix * strides[1] - padBegin[1] + kx * dilations[1];
                  if (ox >= 0 && ox < wo) add(ci, iy, ix, o, oy, ox, value);
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** A per-channel bias [M] repeated over the Ho·Wo positions of each channel: [M·Ho·Wo]. */
export function expandedBias(bias: Float32Array, positions: number): Float32Array {
  const out = new Float32Array(bias.length * positions);
  bias.forEach((b, o) => out.fill(b, o * positions, (o + 1) * positions));
  return out;
}
