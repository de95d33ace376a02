/**
 * The set-up form's column dropdowns for an image CSV: which column is the image path, which the target and which
 * the bias attribute(s), offered from the CSV's header (read by the host) and pre-selected with the user's last
 * choice when it fits this header, else with the host's suggestion by column names.
 */
import { choiceFitsHeader, type CsvColumnChoice } from '../src/protocol/jobs';
import type { DatasetOption, FieldError, FormValues } from '../src/protocol/webview-messages';
import { escapeHtml } from './escape-html';

/** The columns the dropdowns show selected. */
export function shownCsvColumns(option: DatasetOption, form: FormValues): CsvColumnChoice | null {
  if (!option.csv) return null;
  return choiceFitsHeader(form.csvColumns, option.csv.columns) ? form.csvColumns : option.csv.suggested;
}

/** The chosen bias columns as the form lists them under the multi-select (which shows only a count). */
export function biasList(bias: readonly string[]): string {
  return bias.length === 0 ? 'none' : bias.join(', ');
}

function options(columns: readonly string[], selected: (c: string) => boolean): string {
  return columns.map((c) => `<vscode-option value="${escapeHtml(c)}"${selected(c) ? ' selected' : ''}>${escapeHtml(c)}</vscode-option>`).join('');
}

/** The three dropdowns (data-csv="path" | "target" | "bias") and the errors about them; '' for other datasets. */
export function renderCsvColumns(option: DatasetOption, form: FormValues, errors: readonly FieldError[], disabled: boolean): string {
  const shown = shownCsvColumns(option, form);
  if (!option.csv || !shown) return '';
  const same = (a: string) => (b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  const off = disabled ? ' disabled' : '';
  const { columns } = option.csv;
  const single = (role: 'path' | 'target', label: string, help: string, value: string): string =>
    `<div class="field"><vscode-label for="f-csv-${role}">${label}</vscode-label>` +
    `<vscode-single-select id="f-csv-${role}" data-csv="${role}"${off}>${options(columns, same(value))}</vscode-single-select>` +
    `<vscode-form-helper>${help}</vscode-form-helper></div>`;
  const bias =
    `<div class="field"><vscode-label for="f-csv-bias">Bias column(s)</vscode-label>` +
    `<vscode-multi-select id="f-csv-bias" data-csv="bias"${off}>${options(columns, (c) => shown.bias.some((b) => same(b)(c)))}</vscode-multi-select>` +
    `<vscode-form-helper>the spurious attribute(s) BISE removes, one or more; chosen: <span id="csv-bias-chosen">${escapeHtml(biasList(shown.bias))}</span></vscode-form-helper></div>`;
  const problems = errors.filter((e) => e.field === 'csvColumns').map((e) => `<div class="field-error" role="alert">${escapeHtml(e.message)}</div>`);
  return (
    `<div class="grid csv-columns" role="group" aria-label="Columns of the CSV">` +
    single('path', 'Image path column', 'image files, relative to the CSV’s folder', shown.path) +
    single('target', 'Target column', 'the class the model predicts', shown.target) +
    `${bias}</div>${problems.join('')}`
  );
}
