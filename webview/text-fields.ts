/**
 * The set-up form's fields for a model that takes token ids: the text dataset's column dropdowns (text, target,
 * bias; pre-selected with the user's last choice when it fits the header, else the host's suggestion), the tokenizer
 * (the one next to the model, or one picked with Browse…, which asks the host for its file dialog), the most tokens
 * per text, and which units to gate when the model has attention heads. Also which datasets fit the model: texts for
 * a token model, images for the others.
 */
import { choiceFitsHeader, type TextColumnChoice } from '../src/protocol/jobs';
import { isTextDatasetKind, type DatasetOption, type FieldError, type FormValues, type ModelSummary, type SetupView, type TokenizerOption } from '../src/protocol/webview-messages';
import { biasList } from './csv-columns';
import { escapeHtml } from './escape-html';

/** Why `dataset` does not fit the model, or null when it does (or the model is still being read). */
export function modalityMismatch(dataset: DatasetOption, model: ModelSummary | null): string | null {
  if (!model) return null;
  const tokens = (model.tokenInputs ?? []).length > 0;
  if (tokens && !isTextDatasetKind(dataset.kind)) return 'needs an image model; this one takes token ids';
  if (!tokens && isTextDatasetKind(dataset.kind)) return 'texts need a model that takes token ids';
  return null;
}

/** For a token model without a text dataset in the workspace: what the scan looks for; '' otherwise. */
export function noTextDatasetsHint(setup: SetupView): string {
  if ((setup.model?.tokenInputs ?? []).length === 0 || setup.datasets.some((d) => isTextDatasetKind(d.kind))) return '';
  return (
    '<div class="info">No text datasets were found in the workspace. BISE reads a CSV or JSON Lines file with a text column, a target ' +
    'column and one or more bias columns (e.g. comment_text, toxic, identity), or a folder of pre-tokenised input_ids.npy, ' +
    'attention_mask.npy and labels.csv; add one to the workspace and reopen this form.</div>'
  );
}

/** The dataset to show chosen: `current` when it fits the model, else the first runnable one that does. */
export function fittingDataset(setup: SetupView, current: string): string {
  const chosen = setup.datasets.find((d) => d.id === current);
  if (chosen && modalityMismatch(chosen, setup.model) === null) return current;
  return setup.datasets.find((d) => d.supported && modalityMismatch(d, setup.model) === null)?.id ?? current;
}

/** The text columns the dropdowns show selected. */
export function shownTextColumns(option: DatasetOption, form: FormValues): TextColumnChoice | null {
  if (!option.text) return null;
  return choiceFitsHeader(form.textColumns, option.text.columns) ? form.textColumns : option.text.suggested;
}

function errorsFor(errors: readonly FieldError[], field: FieldError['field']): string {
  return errors
    .filter((e) => e.field === field)
    .map((e) => `<div class="field-error" role="alert">${escapeHtml(e.message)}</div>`)
    .join('');
}

function options(columns: readonly string[], selected: (c: string) => boolean): string {
  return columns.map((c) => `<vscode-option value="${escapeHtml(c)}"${selected(c) ? ' selected' : ''}>${escapeHtml(c)}</vscode-option>`).join('');
}

/** The three dropdowns (data-text="text" | "target" | "bias"); '' for datasets without a header. */
function renderTextColumns(option: DatasetOption, form: FormValues, errors: readonly FieldError[], off: string): string {
  const shown = shownTextColumns(option, form);
  if (!option.text || !shown) return '';
  const same = (a: string) => (b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  const { columns } = option.text;
  const single = (role: 'text' | 'target', label: string, help: string, value: string): string =>
    `<div class="field"><vscode-label for="f-text-${role}">${label}</vscode-label>` +
    `<vscode-single-select id="f-text-${role}" data-text="${role}"${off}>${options(columns, same(value))}</vscode-single-select>` +
    `<vscode-form-helper>${help}</vscode-form-helper></div>`;
  const bias =
    `<div class="field"><vscode-label for="f-text-bias">Bias column(s)</vscode-label>` +
    `<vscode-multi-select id="f-text-bias" data-text="bias"${off}>${options(columns, (c) => shown.bias.some((b) => same(b)(c)))}</vscode-multi-select>` +
    `<vscode-form-helper>the identity or other attribute(s) BISE removes, one or more; chosen: <span id="text-bias-chosen">${escapeHtml(biasList(shown.bias))}</span></vscode-form-helper></div>`;
  return (
    `<div class="grid text-columns" role="group" aria-label="Columns of the texts">` +
    single('text', 'Text column', 'the texts, tokenised by the model’s tokenizer', shown.text) +
    single('target', 'Target column', 'the class the model predicts', shown.target) +
    `${bias}</div>${errorsFor(errors, 'textColumns')}`
  );
}

function renderTokenizer(tokenizers: readonly TokenizerOption[], form: FormValues, errors: readonly FieldError[], off: string): string {
  const value = form.tokenizer ?? '';
  const chosen = tokenizers.find((t) => t.id === value) ?? tokenizers[0];
  const opts = tokenizers
    .map((t) => `<vscode-option value="${escapeHtml(t.id)}"${t === chosen ? ' selected' : ''}>${escapeHtml(t.found ? t.label : `${t.label} (not found)`)}</vscode-option>`)
    .join('');
  const invalid = errors.some((e) => e.field === 'tokenizer') ? ' invalid' : '';
  const where = chosen ? `${chosen.found ? '' : 'not found: '}${chosen.detail}` : 'tokenizer.json next to the model';
  return (
    `<div class="field"><vscode-label for="f-tokenizer">Tokenizer</vscode-label>` +
    `<div class="row"><vscode-single-select id="f-tokenizer" data-field="tokenizer"${invalid}${off}>${opts}</vscode-single-select>` +
    `<vscode-button id="pick-tokenizer" secondary${off}>Browse…</vscode-button></div>` +
    `<vscode-form-helper>Hugging Face’s tokenizer.json the model was trained with; ${escapeHtml(where)}</vscode-form-helper>${errorsFor(errors, 'tokenizer')}</div>`
  );
}

function renderMaxLength(form: FormValues, errors: readonly FieldError[], off: string): string {
  const invalid = errors.some((e) => e.field === 'maxLength') ? ' invalid' : '';
  return (
    `<div class="field"><vscode-label for="f-maxLength">Max tokens per text</vscode-label>` +
    `<vscode-textfield id="f-maxLength" data-field="maxLength" value="${escapeHtml(form.maxLength ?? '')}" placeholder="from tokenizer_config.json"${invalid}${off}></vscode-textfield>` +
    `<vscode-form-helper>special tokens included; longer texts are cut, all are padded to the longest; empty = the tokenizer’s model_max_length</vscode-form-helper>${errorsFor(errors, 'maxLength')}</div>`
  );
}

/** The text dataset's fields: columns, tokenizer and length for a text file, the length for a token folder; '' otherwise. */
export function renderTextFields(setup: SetupView, option: DatasetOption, form: FormValues, errors: readonly FieldError[], disabled: boolean): string {
  if (!isTextDatasetKind(option.kind)) return '';
  const off = disabled ? ' disabled' : '';
  const tokenizers = setup.tokenizers && setup.tokenizers.length > 0 ? setup.tokenizers : [{ id: '', label: 'tokenizer.json next to the model', detail: 'tokenizer.json next to the model', found: true }];
  if (option.kind === 'token-npy-folder') return `<div class="grid">${renderMaxLength(form, errors, off)}</div>`;
  return `${renderTextColumns(option, form, errors, off)}<div class="grid">${renderTokenizer(tokenizers, form, errors, off)}${renderMaxLength(form, errors, off)}</div>`;
}

export const UNIT_OPTIONS: readonly { value: string; label: string }[] = [
  { value: 'mlp', label: 'MLP neurons (as the authors do for BERT)' },
  { value: 'heads', label: 'attention heads' },
  { value: 'both', label: 'MLP neurons and attention heads' },
];

/** Which units to gate, when the model has attention heads the engine can gate; '' otherwise. */
export function renderUnits(setup: SetupView, form: FormValues, errors: readonly FieldError[], disabled: boolean): string {
  const attention = setup.model?.attention ?? [];
  if (attention.length === 0) return '';
  const value = form.units ?? 'mlp';
  const opts = UNIT_OPTIONS.map((o) => `<vscode-option value="${o.value}"${o.value === value ? ' selected' : ''}>${escapeHtml(o.label)}</vscode-option>`).join('');
  const heads = attention.reduce((s, a) => s + a.heads, 0);
  const invalid = errors.some((e) => e.field === 'units') ? ' invalid' : '';
  return (
    `<div class="field"><vscode-label for="f-units">Units to gate</vscode-label>` +
    `<vscode-single-select id="f-units" data-field="units"${invalid}${disabled ? ' disabled' : ''}>${opts}</vscode-single-select>` +
    `<vscode-form-helper>${attention.length} attention block${attention.length === 1 ? '' : 's'} with ${heads} heads in all; a removed head takes its query, key and value columns with it</vscode-form-helper>${errorsFor(errors, 'units')}</div>`
  );
}
