/**
 * A text dataset file as a table: a CSV (first record = header) or JSON Lines (the keys of the objects, in order
 * of first appearance, are the columns). JSON values become the strings a CSV would hold (numbers as written,
 * booleans as true/false); a key that is missing or null is a missing cell, which the reader reports when the
 * column is one it uses. Every row keeps its line for errors.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseCsvBytes } from '../csv';
import { DatasetError } from '../errors';
import { parseJsonlBytes } from './jsonl';

export type TextFileFormat = 'csv' | 'jsonl';

export interface TableRow {
  /** 1-based line the row starts on. */
  readonly line: number;
  /** One cell per header column; null where a JSON object has no such key or holds null. */
  readonly fields: readonly (string | null)[];
}

export interface TextTable {
  readonly file: string;
  readonly format: TextFileFormat;
  /** Column names as written. */
  readonly header: readonly string[];
  /** The line of the header (CSV) or of the first object (JSONL), for errors about columns. */
  readonly headerLine: number;
  readonly rows: readonly TableRow[];
}

const EXTENSIONS: Readonly<Record<string, TextFileFormat>> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

/** The format `given`, or the one the file's extension names. */
export function textFileFormat(file: string, given?: TextFileFormat): TextFileFormat {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'jsonl') throw new DatasetError(file, `format: expected csv or jsonl, got ${JSON.stringify(given)}`);
    return given;
  }
  const format = EXTENSIONS[extname(file).toLowerCase()];
  if (format === undefined) throw new DatasetError(file, `expected a .csv, .jsonl or .ndjson file (or options.format), got "${extname(file) || 'no extension'}"`);
  return format;
}

export function readTextTable(file: string, format: TextFileFormat): TextTable {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `could not read the ${format === 'csv' ? 'CSV' : 'JSON Lines'} file (${(err as Error).message})`);
  }
  return format === 'csv' ? csvTable(bytes, file) : jsonlTable(bytes, file);
}

function csvTable(bytes: Uint8Array, file: string): TextTable {
  const records = parseCsvBytes(bytes, file);
  if (records.length === 0) throw new DatasetError(file, 'the file is empty: expected a header (e.g. text,label,bias) and data rows');
  const [head, ...rest] = records;
  rest.forEach((record) => {
    if (record.fields.length !== head.fields.length) {
      throw new DatasetError(file, `expected ${head.fields.length} fields (${head.fields.join(',')}), got ${record.fields.length}`, record.line);
    }
  });
  return { file, format: 'csv', header: head.fields, headerLine: head.line, rows: rest };
}

function jsonlTable(bytes: Uint8Array, file: string): TextTable {
  const records = parseJsonlBytes(bytes, file);
  if (records.length === 0) throw new DatasetError(file, 'the file holds no JSON objects: expected one per line, e.g. {"text": "…", "label": 1, "bias": 0}');
  const header = [...new Set(records.flatMap((r) => Object.keys(r.object)))];
  const rows = records.map(({ object, line }) => ({
    line,
    fields: header.map((key) => (Object.prototype.hasOwnProperty.call(object, key) ? cellText(object[key], key, file, line) : null)),
  }));
  return { file, format: 'jsonl', header, headerLine: records[0].line, rows };
}

function cellText(value: unknown, key: string, file: string, line: number): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return String(value);
  const got = Array.isArray(value) ? 'an array' : `an ${typeof value}`;
  throw new DatasetError(file, `key "${key}": expected a string, number or boolean, got ${got}`, line);
}
