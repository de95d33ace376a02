/**
 * Mask groups of a transformer, placed in its blocks: which block (encoder layer) a group belongs to and whether its
 * units are attention heads or MLP neurons. Read from the group labels the engine writes (units/discover.ts): an
 * attention block's heads are labelled '<attention module> heads' (units/attention-heads.ts, checked against the
 * discovery by test/core/report/transformer-blocks.test.ts), every other group by its producer node, whose path names
 * the block as torch.onnx writes module paths ('/bert/encoder/layer.0/intermediate/dense/MatMul'). Pure, so the panel
 * (live masks) and the report (report.json, report.md) place the groups alike.
 */

export type BlockUnitKind = 'heads' | 'neurons';

export interface BlockPlace {
  /** The block's module path, e.g. '/bert/encoder/layer.0'. */
  readonly block: string;
  /** Its name as shown: the numbered module ('layer.0'), or the whole path where that name is not unique. */
  readonly name: string;
  readonly kind: BlockUnitKind;
}

/** A group in report.json's `transformerBlocks`: its units and which of them were removed. */
export interface BlockGroupRecord {
  group: number;
  kind: BlockUnitKind;
  units: number;
  removed: number[];
}

export interface TransformerBlockRecord {
  /** The block's module path. */
  block: string;
  groups: BlockGroupRecord[];
}

const HEADS_LABEL = /(?: heads| \(heads\))$/;
/** A module numbered as torch.onnx writes a ModuleList entry: 'layer.0', 'layers.3', 'encoder_layer_11', 'h.2', '5'. */
const NUMBERED = /(?:^|[._-])\d+$/;

/** Whether a group's label names an attention block's heads. */
export function isHeadsLabel(label: string): boolean {
  return HEADS_LABEL.test(label);
}

/** The module path up to its first numbered module, or null when no module on the path is numbered. */
export function blockPath(label: string): string | null {
  const segments = label.replace(HEADS_LABEL, '').split(' + ')[0].split('/');
  const at = segments.findIndex((s, i) => (i > 0 || s !== '') && NUMBERED.test(s));
  return at < 0 ? null : segments.slice(0, at + 1).join('/');
}

/**
 * Each label's block and unit kind, or null for a group outside the blocks (a pooler, a classifier's hidden layer).
 * Labels are placed only in a transformer: when some group is a heads group, or `transformer` says so (a text model
 * gated with units 'mlp' has no heads group); a CNN's numbered modules ('layer1.0') are not transformer blocks.
 */
export function blockPlaces(labels: readonly string[], transformer = false): (BlockPlace | null)[] {
  if (!transformer && !labels.some(isHeadsLabel)) return labels.map(() => null);
  const paths = labels.map(blockPath);
  const byName = new Map<string, Set<string>>();
  for (const p of paths) {
    if (p === null) continue;
    const name = shortName(p);
    byName.set(name, (byName.get(name) ?? new Set()).add(p));
  }
  return labels.map((label, i) => {
    const block = paths[i];
    if (block === null) return null;
    const name = (byName.get(shortName(block))?.size ?? 0) > 1 ? block.replace(/^\//, '') : shortName(block);
    return { block, name, kind: isHeadsLabel(label) ? 'heads' : 'neurons' };
  });
}

function shortName(block: string): string {
  return block.split('/').pop() ?? block;
}

/** The mask groups as report.json's `transformerBlocks`: per block, in order, its heads and neurons and those removed. */
export function transformerBlocks(masks: readonly { group: number; label: string; keep: readonly boolean[] }[], transformer = false): TransformerBlockRecord[] {
  const places = blockPlaces(
    masks.map((m) => m.label),
    transformer,
  );
  const blocks: TransformerBlockRecord[] = [];
  masks.forEach((m, i) => {
    const place = places[i];
    if (place === null) return;
    let record = blocks.find((b) => b.block === place.block);
    if (!record) blocks.push((record = { block: place.block, groups: [] }));
    record.groups.push({ group: m.group, kind: place.kind, units: m.keep.length, removed: m.keep.flatMap((k, u) => (k ? [] : [u])) });
  });
  return blocks;
}

/** Whether a report's data is text (a token model's): its blocks are shown even without heads groups. */
export function isTextData(config: Readonly<Record<string, unknown>>): boolean {
  return config.dataset === 'text-file' || config.dataset === 'token-npy-folder';
}
