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
    for (let i = 0; i < param.length; i++) {
      const d = grad[i] + weightDecay * param[i];
      buf[i] = first ? d : momentum * buf[i] + d;
      param[i] -= lr * buf[i];
    }
  }
}
