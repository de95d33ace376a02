/**
 * Text datasets in the workspace, for models that take token ids: CSV and JSON Lines files with a text-like column
 * (a column named text, comment, sentence, review, … or prose in the first row) and at least a target and a bias
 * column besides, and folders of pre-tokenised input_ids.npy. Read with the same bounded read as the image CSVs
 * (csv-columns.ts), so a large file costs at most its first 16 KiB; the form then asks which column is which.
 */
import * as path from 'node:path';
import type { TextColumnChoice } from '../protocol/jobs';
import { readFileHead } from '../core/data/file-head';
import { CSV_HEAD_BYTES, CsvHead, readCsvHead, suggestLabelColumns } from './csv-columns';
import type { DetectedDataset } from './datasets';

const JSONL = /\.(jsonl|ndjson)$/i;
const TEXT_NAME = /^(text|texts|comment|comments|comment_text|sentence|sentence1|review|review_text|content|body|message|tweet|document|utterance|post|prompt|title)$/i;
/** Prose: three or more words. */
const PROSE = /\S+\s+\S+\s+\S+/;

/** Whether `name` is a file the scan reads as a text table (a CSV that is no image list, or JSON Lines). */
export function isTextTableName(name: string): boolean {
  return JSONL.test(name) || name.toLowerCase().endsWith('.csv');
}

/** The keys of the JSON Lines objects in the first `maxBytes` bytes (in order of first appearance) and the first object's values. */
export function readJsonlHead(file: string, maxBytes = CSV_HEAD_BYTES): CsvHead | null {
  const text = readFileHead(file, maxBytes, (bytes) => bytes.toString('utf8').replace(/^\uFEFF/, ''));
  if (text === null) return null;
  try {
    const objects = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
    if (objects.length === 0 || !objects.every((o) => typeof o === 'object' && o !== null && !Array.isArray(o))) return null;
    const rows = objects as Record<string, unknown>[];
    const columns = [...new Set(rows.flatMap((o) => Object.keys(o)))];
    const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
    return { columns, firstRow: columns.map((c) => cell(rows[0][c])) };
  } catch {
    return null;
  }
}

/** The text column: one named like text, else the one whose first value has the most words; undefined if none is prose. */
function textColumn(head: CsvHead): number | undefined {
  const byName = head.columns.findIndex((c) => TEXT_NAME.test(c.trim()) || /text/i.test(c));
  if (byName >= 0) return byName;
  const words = (head.firstRow ?? []).map((v) => (PROSE.test(v) ? v.trim().split(/\s+/).length : 0));
  const most = Math.max(0, ...words);
  return most > 0 ? words.indexOf(most) : undefined;
}

/** A text table: three or more columns (text, target, bias), one of them text-like. */
export function looksLikeTextTable(head: CsvHead): boolean {
  return head.columns.length >= 3 && textColumn(head) !== undefined;
}

/** The columns the form pre-selects: the text column (textColumn), then the target and bias as for an image CSV. */
export function suggestTextColumns(head: CsvHead): TextColumnChoice {
  const text = textColumn(head) ?? 0;
  return { text: head.columns[text] ?? '', ...suggestLabelColumns(head, text) };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The text file `file` as a dataset, or null when it is not a text table (`csvHead`: its head when already read). */
export function textFileDataset(root: string, file: string, csvHead?: CsvHead | null): DetectedDataset | null {
  const jsonl = JSONL.test(file);
  const head = jsonl ? readJsonlHead(file) : csvHead === undefined ? readCsvHead(file) : csvHead;
  if (!head || !looksLikeTextTable(head)) return null;
  const rel = toPosix(path.relative(root, file));
  const split = head.columns.some((c) => c.toLowerCase() === 'split');
  return {
    option: {
      id: `text:${rel}`,
      kind: 'text-file',
      label: `${rel} (texts)`,
      detail: `${rel}: texts with ${jsonl ? 'keys' : 'columns'} ${head.columns.join(', ')}, tokenised by the model's tokenizer${split ? '; split column' : '; split by seed'}`,
      supported: true,
      reason: null,
      text: { columns: head.columns, suggested: suggestTextColumns(head) },
    },
    location: file,
  };
}

/** A folder holding input_ids.npy: pre-tokenised texts, runnable when its mask and labels are there too. */
export function tokenFolderDataset(root: string, dir: string, names: ReadonlySet<string>): DetectedDataset {
  const rel = toPosix(path.relative(root, dir)) || '.';
  const labels = names.has('labels.csv') ? 'labels.csv' : names.has('y.npy') && names.has('b.npy') ? 'y.npy and b.npy' : null;
  const missing = [...(names.has('attention_mask.npy') ? [] : ['attention_mask.npy']), ...(labels ? [] : ['labels.csv (or y.npy and b.npy)'])];
  return {
    option: {
      id: `tokens:${rel}`,
      kind: 'token-npy-folder',
      label: `${rel} (token ids)`,
      detail: `${rel}/: pre-tokenised input_ids.npy, attention_mask.npy${names.has('token_type_ids.npy') ? ', token_type_ids.npy' : ''}, labels from ${labels ?? '—'}`,
      supported: missing.length === 0,
      reason: missing.length === 0 ? null : `missing ${missing.join(', ')} (a token folder needs input_ids.npy, attention_mask.npy and the labels)`,
    },
    location: dir,
  };
}
