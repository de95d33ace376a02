/**
 * ms per SGD step (momentum and weight decay) over every parameter of a ResNet-18 (the tensors of torchvision's
 * resnet18 with a 3×3 stem and a 10-class head, as the CIFAR runs train: 62 tensors, 11.2M floats), sgd.ts's JS loop
 * next to simd-sgd.ts's WebAssembly SIMD kernel (gradients copied in from separate arrays, as onnxruntime's own
 * outputs are, and gradients already in its memory, as preallocated outputs leave them), and for scale a plain copy
 * of as many bytes. Run it on an idle machine (`uptime`): memory bandwidth is shared with any other busy process.
 *
 *   node --import tsx bench/sgd-step.ts [--repeats 10] [--classes 10]
 */
import { Sgd, SgdConfig } from '../src/core/bise/sgd';
import { SimdSgd } from '../src/core/bise/simd-sgd';

/** torchvision resnet18's parameter tensors in order (convs have no bias; each BatchNorm a weight and a bias). */
function resnet18Lengths(classes: number): number[] {
  const conv = (out: number, inp: number, k: number): number => out * inp * k * k;
  const bn = (c: number): number[] => [c, c];
  const lengths = [conv(64, 3, 3), ...bn(64)];
  let inp = 64;
  for (const [stage, width] of [64, 128, 256, 512].entries()) {
    for (let block = 0; block < 2; block++) {
      const downsample = block === 0 && stage > 0;
      lengths.push(conv(width, inp, 3), ...bn(width), conv(width, width, 3), ...bn(width));
      if (downsample) lengths.push(conv(width, inp, 1), ...bn(width));
      inp = width;
    }
  }
  lengths.push(classes * 512, classes);
  return lengths;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Deterministic values in about [-scale, scale]. */
function values(n: number, seed: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * Math.sin(seed + i * 0.7);
  return a;
}

interface Timing {
  readonly median: number;
  readonly min: number;
}

/**
 * Each variant's step, the variants taking turns in every round so that other processes' load falls on all of them
 * alike; two rounds of warm-up (the first allocates Sgd's buffers; both tier up the JS and wasm code).
 */
function timeInTurns(repeats: number, variants: readonly (() => void)[]): Timing[] {
  const times = variants.map((): number[] => []);
  for (let r = 0; r < repeats + 2; r++) {
    variants.forEach((step, k) => {
      const t0 = performance.now();
      step();
      if (r >= 2) times[k].push(performance.now() - t0);
    });
  }
  return times.map((t) => ({ median: median(t), min: Math.min(...t) }));
}

function main(argv: readonly string[]): void {
  const get = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const repeats = Number(get('--repeats') ?? 10);
  const lengths = resnet18Lengths(Number(get('--classes') ?? 10));
  const total = lengths.reduce((a, b) => a + b, 0);
  const config: SgdConfig = { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 };
  const grads = lengths.map((n, i) => values(n, 1000 + i, 1e-3));
  const start = (n: number, i: number): Float32Array => values(n, i, 0.1);

  const params = lengths.map(start);
  const js = new Sgd(config);
  const copied = SimdSgd.create(config, lengths);
  // The gradients already in the optimizer's memory, as onnxruntime leaves them when fetched into gradient(i).
  const inPlace = SimdSgd.create(config, lengths, { gradients: true });
  if (!copied || !inPlace) throw new Error('WebAssembly SIMD is unavailable in this runtime, or refused the memory: nothing to compare');
  lengths.forEach((n, i) => {
    copied.parameter(i).set(start(n, i));
    inPlace.parameter(i).set(start(n, i));
    inPlace.gradient(i).set(grads[i]);
  });
  const source = new Float32Array(total);
  const target = new Float32Array(total);

  const [jsMs, copiedMs, inPlaceMs, copyMs] = timeInTurns(repeats, [
    () => lengths.forEach((_, i) => js.step(params[i], grads[i])),
    () => lengths.forEach((_, i) => copied.step(i, grads[i])),
    () => lengths.forEach((_, i) => inPlace.step(i, inPlace.gradient(i))),
    () => target.set(source),
  ]);

  // After the same steps from the same start, the JS loop and the kernel differ only by float32 roundings.
  let maxDiff = 0;
  lengths.forEach((_, i) => {
    const [a, b, c] = [params[i], copied.parameter(i), inPlace.parameter(i)];
    for (let k = 0; k < a.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]), Math.abs(a[k] - c[k]));
  });

  const ms = (t: Timing): string => `${t.median.toFixed(2).padStart(6)} ms (min ${t.min.toFixed(2).padStart(6)})`;
  const faster = (t: Timing): string => `${(jsMs.median / t.median).toFixed(1)}x faster`;
  console.log(`SGD step over ResNet-18's ${lengths.length} tensors, ${(total / 1e6).toFixed(2)}M floats (${((4 * total) / 1e6).toFixed(0)} MB), median of ${repeats}:`);
  console.log(`  JS Sgd (sgd.ts)                                  ${ms(jsMs)}`);
  console.log(`  SimdSgd (simd-sgd.ts), gradients copied in       ${ms(copiedMs)}  ${faster(copiedMs)}`);
  console.log(`  SimdSgd, gradients in its memory (gradient(i))   ${ms(inPlaceMs)}  ${faster(inPlaceMs)}`);
  console.log(`  for scale: Float32Array.set of ${((4 * total) / 1e6).toFixed(0)} MB            ${ms(copyMs)}`);
  console.log(`  largest |JS − SIMD| of the parameters after ${repeats + 2} steps: ${maxDiff.toExponential(2)}`);
}

main(process.argv.slice(2));
