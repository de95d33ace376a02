/**
 * The TypeScript parts of our mask step, timed on their own at the run's shapes, so the breakdown can split the
 * step the engine times (forward + loss + MI + backward + updates) without timing code inside the engine: the
 * reweighted cross-entropy and the MI term with its gradient to z (bias-terms.ts), the auxiliary head's joint
 * SGD step on detached z, the mask update (gates, straight-through gradient, SGD), and gathering a batch (outside
 * the step the engine times). The rest of the step is
 * the onnxruntime graphs and their feeds. These are pure CPU functions of fixed-size arrays, so timing them
 * apart measures what they cost inside the run.
 */
import { AuxHead } from '../../src/core/bise/aux-head';
import { biasTerms } from '../../src/core/bise/bias-terms';
import { weightedCrossEntropy } from '../../src/core/bise/cross-entropy';
import { gateValues, maskGradient } from '../../src/core/bise/gate';
import { Sgd } from '../../src/core/bise/sgd';
import { createRng, fillNormal, permutation } from '../../src/core/data/random';
import { gatherBatch } from '../../src/core/data/dataset';
import { median } from '../scale/stats';

export interface StepShapes {
  readonly batch: number;
  readonly classes: number;
  readonly biasClasses: number;
  readonly zDim: number;
  /** Units of each gate vector. */
  readonly groupUnits: readonly number[];
  /** Values of one sample (C·H·W). */
  readonly sampleValues: number;
  /** Training samples the batches are gathered from. */
  readonly trainSize: number;
}

export interface StepPieceTimes {
  /** Median ms per step of each piece. */
  readonly lossAndMiMs: number;
  readonly auxHeadStepMs: number;
  readonly maskUpdateMs: number;
  /** Copying one batch out of the in-memory training set (gatherBatch). */
  readonly batchGatherMs: number;
}

export function timeStepPieces(s: StepShapes, repeats = 60): StepPieceTimes {
  const rng = createRng(1);
  const n = s.batch;
  const logits = fillNormal(new Float32Array(n * s.classes), rng);
  const z = fillNormal(new Float32Array(n * s.zDim), rng).map(Math.abs);
  const y = Int32Array.from({ length: n }, (_, i) => i % s.classes);
  // One sample in ten conflicts with its bias label, so the MI term has rows to work on.
  const b = Int32Array.from(y, (v, i) => (i % 10 === 0 ? (v + 1) % s.biasClasses : v % s.biasClasses));
  const weights = Float32Array.from(y, (_, i) => (i % 10 === 0 ? 9 : 0.1));
  const config = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 };
  const head = new AuxHead(s.zDim, s.biasClasses, rng, config);
  const masks = s.groupUnits.map((u) => fillNormal(new Float32Array(u), rng, 0, 0.1));
  const grads = s.groupUnits.map((u) => fillNormal(new Float32Array(u), rng, 0, 0.01));
  const sgd = new Sgd({ lr: 1e-2, momentum: 0.9, weightDecay: 1e-4 });
  const [c, h, w] = [1, 1, s.sampleValues];
  const train = { name: 'train', dims: [c, h, w] as [number, number, number], x: new Float32Array(s.trainSize * s.sampleValues), y: new Int32Array(s.trainSize), biases: [new Int32Array(s.trainSize)], numClasses: s.classes, biasClasses: [s.biasClasses], meta: {} };
  const rows = permutation(s.trainSize, rng).subarray(0, n);
  const time = (f: () => void): number => {
    for (let i = 0; i < 5; i++) f();
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      f();
      ms.push(performance.now() - t0);
    }
    return median(ms);
  };
  return {
    lossAndMiMs: time(() => {
      weightedCrossEntropy(logits, y, s.classes, Array.from(y, (_, i) => weights[i]));
      biasTerms([head], Float32Array.from(z), y, [b], { gamma: 1, miSamples: 'conflicting' });
    }),
    auxHeadStepMs: time(() => head.trainStep(z, b)),
    maskUpdateMs: time(() => {
      masks.map(gateValues);
      masks.forEach((m, i) => sgd.step(m, maskGradient(m, 0.5, grads[i])));
    }),
    batchGatherMs: time(() => gatherBatch(train, rows)),
  };
}
