/**
 * Einsum's gradient. For Y = einsum(X1, …, Xn), dXk[its labels] = Σ over every other label of dY · Π_{j≠k} Xj,
 * which is itself an Einsum: dY (with Y's labels) and the other operands (with theirs) in, Xk's labels out. It
 * is emitted with letters only ('...' axes get unused letters, so no ellipsis rules apply), and three cases need
 * more than relabelling:
 *  - a broadcast axis (size 1 where its label is larger elsewhere): another operand enters the gradient Einsum
 *    with that axis reshaped away; Xk's own gradient sums over the label (it leaves the output) and the axis is
 *    put back as size 1;
 *  - a label only Xk has (summed away in Y): Y does not vary along it, so the gradient is constant there; it
 *    leaves the output and the gradient is declared with size 1 there (it broadcasts to Xk);
 *  - a label repeated within Xk (a diagonal, as in 'ii->i' or a trace 'ii'): each further occurrence gets a new
 *    letter tied to the first by an identity-matrix operand, which puts dY on the diagonal and 0 elsewhere.
 */
import { floatTensor, stringAttr } from '../onnx/ir';
import { reshapeTo } from '../autodiff/helpers';
import { GradientContext, GradientError } from '../autodiff/rule';
import { EinsumSpec, isLetter, parseEinsum } from './einsum-equation';

const ALL_LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** An operand as it enters a gradient Einsum: its tensor (broadcast axes reshaped away) and its letters. */
interface Term {
  readonly tensor: string;
  readonly letters: string;
}

export function buildEinsumGradient(ctx: GradientContext): void {
  const dy = ctx.outputGrad(0);
  if (!dy) return;
  const shapes = ctx.node.inputs.map((name) => ctx.shape(name));
  const spec = parseEinsum(ctx.node, shapes);
  const letters = new Letters(ctx, spec);
  const isBroadcast = (i: number, axis: number): boolean => shapes[i][axis] === 1 && spec.sizes.get(spec.operands[i][axis]) !== 1;

  const terms = new Map<number, Term>();
  const termOf = (j: number): Term => {
    let t = terms.get(j);
    if (!t) {
      const kept = spec.operands[j].map((_, axis) => axis).filter((axis) => !isBroadcast(j, axis));
      const tensor = ctx.node.inputs[j];
      t = {
        tensor: kept.length === shapes[j].length ? tensor : reshapeTo(ctx, tensor, kept.map((axis) => shapes[j][axis])),
        letters: kept.map((axis) => letters.of(spec.operands[j][axis])).join(''),
      };
      terms.set(j, t);
    }
    return t;
  };
  const dyTerm: Term = { tensor: dy, letters: spec.output.map((l) => letters.of(l)).join('') };

  spec.operands.forEach((labels, k) => {
    if (!ctx.needsGrad(k)) return;
    const inputs: Term[] = [dyTerm, ...spec.operands.map((_, j) => j).filter((j) => j !== k).map(termOf)];
    // Each axis of Xk: its letter in the gradient Einsum's output, or undefined where the gradient has size 1.
    const outLetters: (string | undefined)[] = [];
    const seen = new Set<string>();
    labels.forEach((label, axis) => {
      if (isBroadcast(k, axis)) return void outLetters.push(undefined);
      const letter = letters.of(label);
      if (!seen.has(label)) {
        seen.add(label);
        return void outLetters.push(letter);
      }
      const fresh = letters.fresh();
      inputs.push({ tensor: identity(ctx, shapes[k][axis]), letters: letter + fresh });
      outLetters.push(fresh);
    });
    const present = new Set(inputs.flatMap((t) => [...t.letters]));
    const kept = outLetters.map((l) => (l !== undefined && present.has(l) ? l : undefined));
    const equation = `${inputs.map((t) => t.letters).join(',')}->${kept.filter((l) => l !== undefined).join('')}`;
    const grad = ctx.op('Einsum', inputs.map((t) => t.tensor), { equation: stringAttr(equation) });
    const gradShape = kept.map((l, axis) => (l === undefined ? 1 : shapes[k][axis]));
    const dropped = kept.some((l) => l === undefined);
    ctx.setInputGrad(k, dropped ? reshapeTo(ctx, grad, gradShape) : grad, gradShape);
  });
}

/** The n×n identity matrix, tying a repeated label's copies together. */
function identity(ctx: GradientContext, n: number): string {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return ctx.addConstant('identity', floatTensor([n, n], values));
}

/** Letters for the gradient Einsums: the equation's own, then unused ones for '...' axes and repeated labels. */
class Letters {
  private readonly assigned = new Map<string, string>();
  private readonly unused: string[];

  constructor(
    private readonly ctx: GradientContext,
    spec: EinsumSpec,
  ) {
    const own = new Set([...spec.sizes.keys()].filter((l) => l.length === 1 && isLetter(l)));
    this.unused = ALL_LETTERS.filter((l) => !own.has(l));
  }

  of(label: string): string {
    if (label.length === 1) return label;
    let letter = this.assigned.get(label);
    if (letter === undefined) {
      letter = this.fresh();
      this.assigned.set(label, letter);
    }
    return letter;
  }

  fresh(): string {
    const letter = this.unused.shift();
    if (letter === undefined) {
      throw new GradientError(this.ctx.node, 'its gradient needs more distinct labels than the 52 letters an Einsum equation has (too many axes under \'...\' or repeated labels)');
    }
    return letter;
  }
}
