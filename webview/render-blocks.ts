/**
 * The report view's table of a transformer's blocks: the heads and MLP neurons each block lost, as report.md shows
 * them (core/report/markdown-blocks.ts builds the rows; here they are escaped for HTML). '' for other models.
 */
import { blockTable } from '../src/core/report/markdown-blocks';
import type { BiseReport } from '../src/core/report/schema';
import { escapeHtml } from './escape-html';
import { htmlRow, htmlTable } from './html-table';

export function renderBlocksTable(report: BiseReport): string {
  const t = blockTable(report);
  if (!t) return '';
  const table = htmlTable(
    t.columns.map(escapeHtml),
    t.rows.map((r) => htmlRow([escapeHtml(r.block), ...r.cells.map(escapeHtml)])),
  );
  return `<h3>Transformer blocks</h3>${table}${t.note ? `<p class="muted">${escapeHtml(t.note)}</p>` : ''}`;
}
