/**
 * Normalisations that read a unit's channels together with others: where a unit's channels, followed forward
 * from the layer that makes them to the layers that read them, meet
 * - a GroupNormalization: its statistics are per group of C/G consecutive channels, so units must be whole
 *   groups (like the conv groups of a grouped conv): the unit count of the unit's group must divide the number of
 *   GN groups its channels span. Channels that do not start and end on group boundaries cannot be pruned.
 * - a LayerNormalization over the axis that carries the channels (axis 1, or the last axis after an NHWC
 *   Transpose as in ConvNeXt's LayerNorm2d), or an InstanceNormalization over it: every channel's output depends
 *   on all of them, so removing one changes the others. Such units are left out of gating.
 * The channel axis is tracked through Transposes and reshapes that keep the axes before it.
 */
import { Node, attrInt, attrInts } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex } from './graph-index';

export interface NormalizationReading {
  readonly unit: string;
  /** The unit count of the unit's group must divide this (whole GroupNormalization groups). */
  readonly divisor?: number;
  /** Why the unit cannot be pruned. */
  readonly blocked?: string;
}

interface At {
  readonly tensor: string;
  /** Axis of `tensor` that carries the unit's channels. */
  readonly axis: number;
  /** First of the unit's channels along that axis, and how many. */
  readonly offset: number;
  readonly size: number;
}

const LINEAR = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
/** Ops that combine values along one axis (attribute `axis`): the channels stop here when it is theirs. */
const AXIS_MIXING = new Set(['Softmax', 'LogSoftmax', 'Hardmax', 'ArgMax', 'ArgMin', 'CumSum', 'LRN']);

/** Follows each unit's output forward to every normalisation that reads its channels before a layer does. */
export function normalizationReadings(
  units: readonly { readonly node: string; readonly output: string; readonly channels: number }[],
  ix: GraphIndex,
  shapes: ShapeMap,
  within: ReadonlySet<string>,
): NormalizationReading[] {
  const out: NormalizationReading[] = [];
  for (const u of units) {
    const seen = new Set<string>();
    const stack: At[] = [{ tensor: u.output, axis: 1, offset: 0, size: u.channels }];
    while (stack.length > 0) {
      const at = stack.pop() as At;
      const key = `${at.tensor}@${at.axis}:${at.offset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const n of ix.consumers.get(at.tensor) ?? []) {
        if (!within.has(n.name)) continue;
        const next = step(n, at, ix, shapes, u.node, out);
        if (next) stack.push(next);
      }
    }
  }
  return out;
}

function step(n: Node, at: At, ix: GraphIndex, shapes: ShapeMap, unit: string, out: NormalizationReading[]): At | undefined {
  const inShape = shapes.get(at.tensor);
  const output = n.outputs[0];
  const outShape = output ? shapes.get(output) : undefined;
  if (!inShape || !outShape || n.domain !== '') return undefined;
  const rank = inShape.length;
  const same = (): At => ({ ...at, tensor: output });
  const where = `'${n.name}' (${n.opType})`;
  if (LINEAR.has(n.opType) && ix.isConstant(n.inputs[1])) {
    // A layer reads the channels (Conv along axis 1, Gemm/MatMul along the last): they end here. A MatMul over
    // another axis carries them on.
    return n.opType === 'MatMul' && n.inputs[0] === at.tensor && at.axis !== rank - 1 && outShape.length === rank ? same() : undefined;
  }
  switch (n.opType) {
    case 'LayerNormalization': {
      const first = normalized(attrInt(n, 'axis', -1), rank);
      if (n.inputs[0] !== at.tensor || at.axis < first) return same();
      const axes = first === rank - 1 ? `axis ${first}` : `axes ${first} to ${rank - 1}`;
      out.push({ unit, blocked: `its channels are normalised together by ${where} over ${axes}, which ${first === rank - 1 ? 'is' : 'include'} the axis that carries them (axis ${at.axis}); removing a channel would change the statistics of the others` });
      return undefined;
    }
    case 'InstanceNormalization':
      if (n.inputs[0] !== at.tensor || at.axis === 1) return same();
      out.push({ unit, blocked: `its channels lie along axis ${at.axis} of the input of ${where}, which normalises over that axis; removing a channel would change the statistics of the others` });
      return undefined;
    case 'GroupNormalization': {
      if (n.inputs[0] !== at.tensor) return undefined;
      const groups = attrInt(n, 'num_groups', 1);
      const groupSize = inShape[1] / groups;
      if (at.axis === 1 && at.offset % groupSize === 0 && at.size % groupSize === 0) {
        out.push({ unit, divisor: at.size / groupSize });
        return same();
      }
      const span = at.axis === 1 ? `channels ${at.offset}–${at.offset + at.size - 1}, which do not start and end on its group boundaries (num_groups=${groups}, ${groupSize} channels each)` : `axis ${at.axis}, not its channel axis 1`;
      out.push({ unit, blocked: `its channels reach ${where} at ${span}; removing some channels of a group would change the statistics of the others` });
      return undefined;
    }
    case 'Transpose': {
      const perm = attrInts(n, 'perm') ?? inShape.map((_, i) => rank - 1 - i);
      return { ...at, tensor: output, axis: perm.indexOf(at.axis) };
    }
    case 'Concat': {
      const axis = normalized(attrInt(n, 'axis', 0), rank);
      if (axis !== at.axis) return same();
      const before = n.inputs.slice(0, n.inputs.indexOf(at.tensor)).reduce((s, t) => s + (shapes.get(t)?.[axis] ?? 0), 0);
      return { ...at, tensor: output, offset: at.offset + before };
    }
    case 'Reshape':
    case 'Flatten':
    case 'Squeeze':
    case 'Unsqueeze': {
      // The axis keeps its place and size when every axis up to it keeps its size.
      const kept = outShape.length > at.axis && inShape.slice(0, at.axis + 1).every((d, i) => outShape[i] === d);
      return kept ? same() : undefined;
    }
    case 'Split':
    case 'Slice':
    case 'Gather':
      return undefined;
    default: {
      if (n.opType.startsWith('Reduce') || AXIS_MIXING.has(n.opType)) {
        const axes = attrInts(n, 'axes');
        if (AXIS_MIXING.has(n.opType) ? normalized(attrInt(n, 'axis', -1), rank) === at.axis : !axes || axes.some((a) => normalized(a, rank) === at.axis)) return undefined;
      }
      // Elementwise, pooling, activations, BatchNormalization, …: the channels stay on their axis.
      return outShape.length === rank && outShape[at.axis] === inShape[at.axis] ? same() : undefined;
    }
  }
}

function normalized(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
