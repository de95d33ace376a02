/** SGD with momentum and weight decay, PyTorch semantics: d = g + wd·p; buf = μ·buf + d (buf = d at first); p -= lr·buf. */

export interface SgdConfig {
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

export class Sgd {
  private readonly buffers = new Map<Float32Array, Float32Array>();

  constructor(public config: SgdConfig) {}

  /** The momentum buffer of `param` (undefined before its first step): what settled-units.ts bounds the drift from. */
  momentum(param: Float32Array): Float32Array | undefined {
    return this.buffers.get(param);
  }

  /** Update `param` in place from `grad`. */
  step(param: Float32Array, grad: ArrayLike<number>): void {
    const { lr, momentum, weightDecay } = this.config;
    let buf = this.buffers.get(param);
    const first = !buf;
    if (!buf) {
      buf = new Float32Array(param.length);
      this.buffers.set(param, buf);
    }
    // One pass, memory-bound (ResNet-18's 11M parameters: five streams of 44 MB): each value is read once and the
    // momentum is applied as a factor rather than a branch per element. Same float32 roundings as PyTorch's order.
    const decay = first ? 0 : momentum;
    const n = param.length;
    for (let i = 0; i < n; i++) {
      const p = param[i];
      const b = Math.fround(decay * buf[i] + (grad[i] + weightDecay * p));
      buf[i] = b;
      param[i] = p - lr * b;
    }
  }
}
