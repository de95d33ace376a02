/**
 * report.md's table of a transformer's blocks: how many attention heads and MLP neurons each block lost, which heads
 * (a block has few), and which neurons when they are few enough to read (report.json's `transformerBlocks` lists
 * them all). The rows are plain text, shared with the panel, which escapes them for HTML as this does for Markdown.
 */
import { formatCount } from './format';
import { escapeMarkdown, markdownTable } from './markdown-text';
import type { BiseReport } from './schema';
import type { BlockGroupRecord, TransformerBlockRecord } from './transformer-blocks';

/** Neuron indices are listed in a cell up to this many; beyond, the count and report.json. */
export const LISTED_NEURONS = 16;

export interface BlockRow {
  readonly block: string;
  /** One cell per column of `columns` after the block. */
  readonly cells: readonly string[];
}

export interface BlockTable {
  readonly columns: readonly string[];
  readonly rows: readonly BlockRow[];
  /** A sentence for under the table, or ''. */
  readonly note: string;
}

function removedCell(groups: readonly BlockGroupRecord[], kind: 'heads' | 'neurons'): string {
  const of = groups.filter((g) => g.kind === kind);
  if (of.length === 0) return '—';
  return of
    .map((g) => {
      const count = `${formatCount(g.removed.length)} of ${formatCount(g.units)}`;
      if (g.removed.length === 0) return count;
      if (kind === 'heads') return `${count} (head${g.removed.length === 1 ? '' : 's'} ${g.removed.join(', ')})`;
      return g.removed.length <= LISTED_NEURONS ? `${count} (${g.removed.join(', ')})` : count;
    })
    .join('; ');
}

/** The blocks' names: the numbered module ('layer.0') where unique, else the module path. */
function names(blocks: readonly TransformerBlockRecord[]): string[] {
  const short = blocks.map((b) => b.block.split('/').pop() ?? b.block);
  return blocks.map((b, i) => (short.filter((s) => s === short[i]).length > 1 ? b.block.replace(/^\//, '') : short[i]));
}

/** The table of `transformerBlocks` (columns only for the kinds gated), or null when the report has none. */
export function blockTable(r: BiseReport): BlockTable | null {
  const blocks = r.transformerBlocks ?? [];
  if (blocks.length === 0) return null;
  const groups = blocks.flatMap((b) => b.groups);
  const kinds = (['heads', 'neurons'] as const).filter((k) => groups.some((g) => g.kind === k));
  const label = { heads: 'Attention heads removed', neurons: 'MLP neurons removed' } as const;
  const shown = names(blocks);
  const longLists = groups.some((g) => g.kind === 'neurons' && g.removed.length > LISTED_NEURONS);
  const notGated = kinds.includes('heads') ? '' : 'Attention heads were not gated (units: mlp). ';
  return {
    columns: ['Block', ...kinds.map((k) => label[k])],
    rows: blocks.map((b, i) => ({ block: shown[i], cells: kinds.map((k) => removedCell(b.groups, k)) })),
    note: `${notGated}${longLists ? `Neuron indices are listed up to ${LISTED_NEURONS} per block; report.json's transformerBlocks lists every removed head and neuron.` : ''}`.trim(),
  };
}

export function blocksSection(r: BiseReport): string[] {
  const t = blockTable(r);
  if (!t) return [];
  return [
    '### Transformer blocks',
    '',
    'Heads and neurons are numbered from 0 within their block, in the order of the model’s weights.',
    '',
    markdownTable(
      [...t.columns],
      t.rows.map((row) => [escapeMarkdown(row.block), ...row.cells.map(escapeMarkdown)]),
      t.columns.map((_, i) => (i === 0 ? 'left' : 'right')),
    ),
    ...(t.note ? ['', t.note] : []),
  ];
}
