/** The panel's tables: cells and headers are markup the caller has already escaped. */
export function htmlRow(cells: readonly string[]): string {
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

export function htmlTable(head: readonly string[], rows: readonly string[]): string {
  return `<table class="metrics"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
