/**
 * The optimiser of weight training (`bise train`, `bise finetune`) over every trained tensor at once, holding the
 * parameters it updates: the arrays `parameters` hands out are fed to onnxruntime each step and updated in place.
 *
 * SGD runs as WebAssembly SIMD (simd-sgd.ts) over parameters that live in its memory: ResNet-18's 11.2M values in
 * 6.1 ms per step against 21 ms for sgd.ts's scalar loop (bench/sgd-step.ts, idle machine), float32 per operation.
 * Where WebAssembly SIMD is missing or the tensors do not fit one memory, sgd.ts's Sgd runs instead (the same
 * update, computed in double and rounded once: within 2e-6 of it after 5 steps). Adam and AdamW stay in JavaScript.
 */
import { Adam, AdamConfig } from './adam';
import { Sgd, SgdConfig } from './sgd';
import { SimdSgd } from './simd-sgd';

export type WeightOptimizerConfig = ({ readonly kind: 'sgd' } & SgdConfig) | ({ readonly kind: 'adam' } & AdamConfig);

export interface WeightOptimizer {
  /** The parameters by name, each initialised from `initial` and updated in place by step(). */
  readonly parameters: ReadonlyMap<string, Float32Array>;
  /** Which implementation runs (for logs and benches). */
  readonly implementation: 'wasm-simd-sgd' | 'sgd' | 'adam';
  /** One update of every parameter from its gradient (same order as the names given to createWeightOptimizer). */
  step(gradients: readonly Float32Array[]): void;
  /** The learning rate of the next steps. */
  setLearningRate(lr: number): void;
}

/**
 * `initial`: each parameter's starting values (copied; the caller's arrays are not changed). `simd: false` keeps
 * SGD in JavaScript (before/after benches).
 */
export function createWeightOptimizer(names: readonly string[], initial: (name: string) => Float32Array, config: WeightOptimizerConfig, simd = true): WeightOptimizer {
  const values = names.map(initial);
  if (config.kind === 'sgd' && simd) {
    const sgdConfig: SgdConfig = { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay };
    const wasm = SimdSgd.create(sgdConfig, values.map((v) => v.length));
    if (wasm) {
      values.forEach((v, i) => wasm.parameter(i).set(v));
      return {
        parameters: new Map(names.map((n, i) => [n, wasm.parameter(i)])),
        implementation: 'wasm-simd-sgd',
        step: (gradients) => gradients.forEach((g, i) => wasm.step(i, g)),
        setLearningRate: (lr) => (wasm.config = { ...wasm.config, lr }),
      };
    }
  }
  const parameters = new Map(names.map((n, i) => [n, Float32Array.from(values[i])]));
  const ordered = names.map((n) => parameters.get(n) as Float32Array);
  if (config.kind === 'sgd') {
    const sgd = new Sgd({ lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay });
    return {
      parameters,
      implementation: 'sgd',
      step: (gradients) => gradients.forEach((g, i) => sgd.step(ordered[i], g)),
      setLearningRate: (lr) => (sgd.config = { ...sgd.config, lr }),
    };
  }
  const adam = new Adam(adamConfig(config));
  return {
    parameters,
    implementation: 'adam',
    step: (gradients) => gradients.forEach((g, i) => adam.step(ordered[i], g)),
    setLearningRate: (lr) => (adam.config = { ...adam.config, lr }),
  };
}

function adamConfig(c: AdamConfig): AdamConfig {
  return { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, decoupled: c.decoupled };
}
