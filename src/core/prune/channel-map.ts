/**
 * A channel map says which of a tensor's original channels it still has after pruning: the axis that holds them
 * and the original indices along it, ascending. The axis is 1 (NCHW, [N, features]) unless layout ops moved it:
 * a Transpose to channels-last, a MatMul's features on the last axis of [N, tokens, D]. Every tensor of rank ≥ 2
 * carries one while the pruner walks the graph.
 */
export interface ChannelMap {
  /** Size of the channel axis in the original, unpruned model. */
  readonly size: number;
  /** Original indices still present, ascending and distinct. */
  readonly kept: readonly number[];
  /** The axis (of the tensor, non-negative) that holds the channels. */
  readonly axis: number;
}

export function identityMap(size: number, axis = 1): ChannelMap {
  return { size, kept: Array.from({ length: size }, (_, i) => i), axis };
}

export function isPruned(map: ChannelMap | undefined): map is ChannelMap {
  return map !== undefined && map.kept.length !== map.size;
}

/** Same channels on the same axis. */
export function sameMap(a: ChannelMap, b: ChannelMap): boolean {
  return a.axis === b.axis && a.size === b.size && a.kept.length === b.kept.length && a.kept.every((k, i) => k === b.kept[i]);
}

/** The map with its channels on another axis (a Transpose, or an axis inserted or removed in front of them). */
export function onAxis(map: ChannelMap, axis: number): ChannelMap {
  return axis === map.axis ? map : { ...map, axis };
}

/**
 * The channel axis merged with its neighbours into one axis (at position `axis` of the result): `before` entries
 * of the axes merged in front of it and `after` of those behind, so channel c owns entries (p·C + c)·after + q
 * for every p < before, q < after. E.g. NHWC [N, H, W, C] → [N, H·W·C] (before = H·W: a pixel's channels stay
 * together, channel c is every C-th feature), NCHW [N, C, H, W] → [N, C·H·W] (after = H·W).
 */
export function mergedMap(map: ChannelMap, before: number, after: number, axis: number): ChannelMap {
  if (before === 1 && after === 1) return onAxis(map, axis);
  const kept: number[] = [];
  for (let p = 0; p < before; p++) for (const c of map.kept) for (let q = 0; q < after; q++) kept.push((p * map.size + c) * after + q);
  return { size: before * map.size * after, kept, axis };
}

/** The channels of units `units` when each unit is `repeat` consecutive channels (unit u: u·repeat … u·repeat + repeat − 1). */
export function unitChannels(units: readonly number[], repeat: number): number[] {
  if (repeat === 1) return [...units];
  return units.flatMap((u) => Array.from({ length: repeat }, (_, i) => u * repeat + i));
}

/**
 * The channels of `units` (of `count`) in a producer's output of `channels` channels laid out as `blocks` equal
 * blocks side by side, each holding every unit's channels consecutively: unit u owns the same sub-range of every
 * block (a fused query/key/value projection, units/fused-attention-heads.ts: 3 blocks). One block: unitChannels.
 */
export function blockUnitChannels(units: readonly number[], count: number, channels: number, blocks = 1): number[] {
  const block = channels / blocks;
  return Array.from({ length: blocks }, (_, b) => unitChannels(units, block / count).map((c) => b * block + c)).flat();
}

/** The unit that owns channel `c` in such an output. */
export function unitOfChannel(c: number, count: number, channels: number, blocks = 1): number {
  const block = channels / blocks;
  return Math.floor((c % block) / (block / count));
}

export function describeMap(map: ChannelMap): string {
  return `keeps ${map.kept.length} of ${map.size} channels${map.axis === 1 ? '' : ` on axis ${map.axis}`}`;
}

/** The axis of a layer's output that holds its units: the last axis of a MatMul ([N, tokens, D]), else axis 1. */
export function producedChannelAxis(opType: string, rank: number): number {
  return opType === 'MatMul' ? Math.max(rank - 1, 1) : 1;
}
