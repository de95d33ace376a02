/**
 * JSON Lines: one JSON object per line, blank lines skipped, a UTF-8 byte-order mark skipped. Each object keeps
 * the line it is on, so that errors can point at it.
 */
import { DatasetError } from '../errors';

export interface JsonlRecord {
  readonly object: { readonly [key: string]: unknown };
  /** 1-based line. */
  readonly line: number;
}

/** Decodes UTF-8 bytes (strictly) and parses them. */
export function parseJsonlBytes(bytes: Uint8Array, file: string): JsonlRecord[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(file, 'expected a UTF-8 text file (JSON Lines), found bytes that are not valid UTF-8');
  }
  return parseJsonl(text, file);
}

export function parseJsonl(text: string, file: string): JsonlRecord[] {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  const records: JsonlRecord[] = [];
  lines.forEach((raw, i) => {
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new DatasetError(file, `expected one JSON object per line: ${(err as Error).message}`, i + 1);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
      throw new DatasetError(file, `expected one JSON object per line ({"text": …, "label": …}), got ${got}`, i + 1);
    }
    records.push({ object: value as JsonlRecord['object'], line: i + 1 });
  });
  return records;
}
