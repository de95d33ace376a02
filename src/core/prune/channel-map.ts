/**
 * A channel map says which of a tensor's original channels (axis 1) it still has after pruning: the original
 * indices, ascending. Every tensor of rank ≥ 2 carries one while the pruner walks the graph.
 */
export interface ChannelMap {
  /** Size of axis 1 in the original, unpruned model. */
  readonly size: number;
  /** Original indices still present, ascending and distinct. */
  readonly kept: readonly number[];
}

export function identityMap(size: number): ChannelMap {
  return { size, kept: Array.from({ length: size }, (_, i) => i) };
}

export function isPruned(map: ChannelMap | undefined): map is ChannelMap {
  return map !== undefined && map.kept.length !== map.size;
}

export function sameMap(a: ChannelMap, b: ChannelMap): boolean {
  return a.size === b.size && a.kept.length === b.kept.length && a.kept.every((k, i) => k === b.kept[i]);
}

/** Channel c of [N, C, *spatial] becomes features c·S … c·S + S − 1 of [N, C·S] (S = spatial size). */
export function flattenMap(map: ChannelMap, spatial: number): ChannelMap {
  if (spatial === 1) return map;
  const kept: number[] = [];
  for (const c of map.kept) for (let j = 0; j < spatial; j++) kept.push(c * spatial + j);
  return { size: map.size * spatial, kept };
}

/** The channels of units `units` when each unit is `repeat` consecutive channels (unit u: u·repeat … u·repeat + repeat − 1). */
export function unitChannels(units: readonly number[], repeat: number): number[] {
  if (repeat === 1) return [...units];
  return units.flatMap((u) => Array.from({ length: repeat }, (_, i) => u * repeat + i));
}

export function describeMap(map: ChannelMap): string {
  return `keeps ${map.kept.length} of ${map.size} channels`;
}
