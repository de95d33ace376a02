/**
 * Adam with bias-corrected moments and weight decay either coupled (torch.optim.Adam: g += wd·p, which Adam then
 * normalises, so a parameter whose loss gradient is zero, e.g. an unused embedding row, still moves by ~lr every step)
 * or decoupled (torch.optim.AdamW: p -= lr·wd·p before the Adam step).
 */
export interface AdamConfig {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW's decoupled weight decay (default false: Adam's coupled one). */
  readonly decoupled?: boolean;
}

export class Adam {
  private readonly state = new Map<Float32Array, { m: Float32Array; v: Float32Array; t: number }>();

  constructor(public config: AdamConfig) {}

  step(param: Float32Array, grad: ArrayLike<number>): void {
    const { lr, beta1, beta2, eps, weightDecay, decoupled = false } = this.config;
    let s = this.state.get(param);
    if (!s) {
      s = { m: new Float32Array(param.length), v: new Float32Array(param.length), t: 0 };
      this.state.set(param, s);
    }
    s.t++;
    const c1 = 1 - beta1 ** s.t;
    const c2 = 1 - beta2 ** s.t;
    for (let i = 0; i < param.length; i++) {
      if (decoupled) param[i] -= lr * weightDecay * param[i];
      const g = decoupled ? grad[i] : grad[i] + weightDecay * param[i];
      s.m[i] = beta1 * s.m[i] + (1 - beta1) * g;
      s.v[i] = beta2 * s.v[i] + (1 - beta2) * g * g;
      param[i] -= (lr * (s.m[i] / c1)) / (Math.sqrt(s.v[i] / c2) + eps);
    }
  }
}
