/**
 * An Einsum equation read against concrete operand shapes: which label every axis of every operand carries, the
 * output's labels and every label's size. The axes an ellipsis stands for get labels of their own ('…0', '…1',
 * …), so the kernel, the gradient and the channel rule see only labels.
 *
 * The rules are onnxruntime 1.30's (checked against it), which are numpy's with three narrowings, refused here
 * with the reason rather than left to fail at run time: every operand's '...' covers the same number of axes;
 * an explicit output names '...' whenever the inputs' '...' covers any axis; upper-case labels need an explicit
 * output. Within one label, size-1 axes broadcast against the others (onnxruntime allows it, as numpy does).
 */
import { Node, attrString } from '../onnx/ir';

export interface EinsumSpec {
  /** The equation as written in the node. */
  readonly equation: string;
  /** For each operand, the label of each axis (a letter, or '…k' for the k-th axis an ellipsis covers). */
  readonly operands: readonly (readonly string[])[];
  /** The output's labels, one per axis, all distinct. */
  readonly output: readonly string[];
  /** Every label's size: its operands' common size, where size-1 axes broadcast. */
  readonly sizes: ReadonlyMap<string, number>;
  /** The output's shape. */
  readonly outShape: readonly number[];
}

const ELLIPSIS = '...';

export function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

export function ellipsisLabel(k: number): string {
  return `…${k}`;
}

/** One side's term: its letters in order, with the ellipsis (if any) at `ellipsisAt`. */
interface Term {
  readonly letters: readonly string[];
  readonly ellipsisAt: number | undefined;
}

/** The equation of `node` read against `shapes` (one per input); throws naming node, op and equation when it does not fit. */
export function parseEinsum(node: Node, shapes: readonly (readonly number[])[]): EinsumSpec {
  const equation = attrString(node, 'equation', '');
  const fail = (detail: string): never => {
    throw new Error(`node '${node.name}' (Einsum): equation '${equation}': ${detail}`);
  };
  if (node.attributes.equation === undefined) fail('the equation attribute is missing');
  const compact = equation.replace(/\s+/g, '');
  const sides = compact.split('->');
  if (sides.length > 2) fail("'->' appears more than once");
  const terms = sides[0].split(',').map((t, i) => parseTerm(t, `input term ${i}`, fail));
  if (terms.length !== shapes.length) fail(`it has ${terms.length} input term(s) but the node has ${shapes.length} input(s)`);

  // The axes each operand's ellipsis covers; onnxruntime requires the same number in every operand that has one.
  let ellipsisRank: number | undefined;
  const operands = terms.map((term, i) => {
    const rank = shapes[i].length;
    const covered = rank - term.letters.length;
    if (term.ellipsisAt === undefined) {
      if (covered !== 0) fail(`input ${i} has rank ${rank} but its term names ${term.letters.length} axes`);
      return [...term.letters];
    }
    if (covered < 0) fail(`input ${i} has rank ${rank} but its term names ${term.letters.length} axes besides '...'`);
    if (ellipsisRank !== undefined && covered !== ellipsisRank) {
      fail(`'...' covers ${ellipsisRank} axes in one input and ${covered} in input ${i}; onnxruntime requires the same number in every input`);
    }
    ellipsisRank = covered;
    const ellipsis = Array.from({ length: covered }, (_, k) => ellipsisLabel(k));
    return [...term.letters.slice(0, term.ellipsisAt), ...ellipsis, ...term.letters.slice(term.ellipsisAt)];
  });

  const sizes = labelSizes(operands, shapes, fail);
  const ellipsis = Array.from({ length: ellipsisRank ?? 0 }, (_, k) => ellipsisLabel(k));
  let output: string[];
  if (sides.length === 2) {
    const out = parseTerm(sides[1], 'the output term', fail);
    if (new Set(out.letters).size !== out.letters.length) fail('the output names a label more than once');
    for (const l of out.letters) if (!sizes.has(l)) fail(`the output label '${l}' appears in no input`);
    if (out.ellipsisAt === undefined && ellipsis.length > 0) fail("the inputs' '...' covers axes but the output has no '...' (onnxruntime refuses this)");
    output = out.ellipsisAt === undefined ? [...out.letters] : [...out.letters.slice(0, out.ellipsisAt), ...ellipsis, ...out.letters.slice(out.ellipsisAt)];
  } else {
    // Implicit output (numpy): the ellipsis axes, then the letters that appear exactly once, alphabetically.
    const counts = new Map<string, number>();
    for (const t of terms) for (const l of t.letters) counts.set(l, (counts.get(l) ?? 0) + 1);
    if ([...counts.keys()].some((l) => l >= 'A' && l <= 'Z')) fail("it has upper-case labels and no '->' output; onnxruntime only accepts those with an explicit output");
    output = [...ellipsis, ...[...counts].filter(([, n]) => n === 1).map(([l]) => l).sort()];
  }
  return { equation, operands, output, sizes, outShape: output.map((l) => sizes.get(l) as number) };
}

function parseTerm(text: string, what: string, fail: (detail: string) => never): Term {
  const letters: string[] = [];
  let ellipsisAt: number | undefined;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith(ELLIPSIS, i)) {
      if (ellipsisAt !== undefined) fail(`${what} has '...' more than once`);
      ellipsisAt = letters.length;
      i += ELLIPSIS.length;
    } else if (isLetter(text[i])) {
      letters.push(text[i++]);
    } else {
      fail(`${what} has '${text[i]}'; labels are the letters a-z and A-Z, plus one '...'`);
    }
  }
  return { letters, ellipsisAt };
}

/**
 * The size of every label. Size-1 axes broadcast against the others; a label repeated within one operand (a
 * diagonal) must have one size there, as onnxruntime requires.
 */
function labelSizes(operands: readonly (readonly string[])[], shapes: readonly (readonly number[])[], fail: (detail: string) => never): Map<string, number> {
  const sizes = new Map<string, number>();
  operands.forEach((labels, i) => {
    const own = new Map<string, number>();
    labels.forEach((l, axis) => {
      const d = shapes[i][axis];
      const seen = own.get(l);
      if (seen !== undefined && seen !== d) fail(`input ${i} repeats label ${shown(l)} on axes of sizes ${seen} and ${d}`);
      own.set(l, d);
      const common = sizes.get(l);
      if (common === undefined || common === 1) sizes.set(l, d);
      else if (d !== 1 && d !== common) fail(`label ${shown(l)} has size ${common} in one input and ${d} in input ${i}`);
    });
  });
  return sizes;
}

/** A label as a user reads it: 'i', or the k-th axis under '...'. */
export function shown(label: string): string {
  return label.startsWith('…') ? `(axis ${label.slice(1)} under '...')` : `'${label}'`;
}
