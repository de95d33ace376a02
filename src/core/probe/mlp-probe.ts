/** A one-hidden-layer MLP probe (ReLU), trained with mini-batch SGD in TypeScript. */
import { Rng } from '../data/random';
import { batchIndices } from '../data/dataset';
import { deriveSeed } from '../data/random';
import { Sgd } from '../bise/sgd';
import { weightedCrossEntropy } from '../bise/cross-entropy';

export class MlpProbe {
  private readonly w1: Float32Array;
  private readonly b1: Float32Array;
  private readonly w2: Float32Array;
  private readonly b2: Float32Array;

  constructor(readonly inFeatures: number, readonly hidden: number, readonly classes: number, rng: Rng) {
    const u = (n: number, fan: number): Float32Array => new Float32Array(n).map(() => (rng.nextFloat() * 2 - 1) / Math.sqrt(fan));
    this.w1 = u(hidden * inFeatures, inFeatures);
    this.b1 = u(hidden, inFeatures);
    this.w2 = u(classes * hidden, hidden);
    this.b2 = u(classes, hidden);
  }

  private hiddenOf(x: ArrayLike<number>, n: number): Float32Array {
    const { inFeatures: d, hidden: h } = this;
    const out = new Float32Array(n * h);
    const { w1, b1 } = this;
    for (let i = 0; i < n; i++) {
      const xi = i * d;
      for (let j = 0; j < h; j++) {
        const wj = j * d;
        let s = b1[j];
        for (let f = 0; f < d; f++) s += x[xi + f] * w1[wj + f];
        out[i * h + j] = s > 0 ? s : 0;
      }
    }
    return out;
  }

  logits(x: ArrayLike<number>, n: number): Float32Array {
    return this.logitsFromHidden(this.hiddenOf(x, n), n);
  }

  train(x: Float32Array, labels: Int32Array, epochs: number, batchSize: number, seed: number, sgd = { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }): void {
    const opt = new Sgd(sgd);
    const { inFeatures: d, hidden: h, classes: k } = this;
    for (let e = 0; e < epochs; e++) {
      for (const idx of batchIndices(labels.length, { batchSize, seed: deriveSeed(seed, 'mlp-probe', e) })) {
        const n = idx.length;
        const xb = new Float32Array(n * d);
        const yb = new Int32Array(n);
        idx.forEach((i, r) => {
          xb.set(x.subarray(i * d, (i + 1) * d), r * d);
          yb[r] = labels[i];
        });
        const hid = this.hiddenOf(xb, n);
        const { grad } = weightedCrossEntropy(this.logitsFromHidden(hid, n), yb, k);
        const gw2 = new Float32Array(k * h);
        const gb2 = new Float32Array(k);
        const gh = new Float32Array(n * h);
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
          const g = grad[i * k + c];
          gb2[c] += g;
          for (let j = 0; j < h; j++) {
            gw2[c * h + j] += g * hid[i * h + j];
            gh[i * h + j] += g * this.w2[c * h + j];
          }
        }
        const gw1 = new Float32Array(h * d);
        const gb1 = new Float32Array(h);
        for (let i = 0; i < n; i++) {
          const xi = i * d;
          for (let j = 0; j < h; j++) {
            if (hid[i * h + j] <= 0) continue;
            const g = gh[i * h + j];
            const wj = j * d;
            gb1[j] += g;
            for (let f = 0; f < d; f++) gw1[wj + f] += g * xb[xi + f];
          }
        }
        opt.step(this.w1, gw1);
        opt.step(this.b1, gb1);
        opt.step(this.w2, gw2);
        opt.step(this.b2, gb2);
      }
    }
  }

  private logitsFromHidden(hid: Float32Array, n: number): Float32Array {
    const { hidden: h, classes: k } = this;
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
      let s = this.b2[c];
      for (let j = 0; j < h; j++) s += hid[i * h + j] * this.w2[c * h + j];
      out[i * k + c] = s;
    }
    return out;
  }
}
