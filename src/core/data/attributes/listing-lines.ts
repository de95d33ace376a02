/**
 * The lines of a listing file (an attribute file, a partition file) as fields: whitespace-separated in a .txt, as
 * CelebA writes them (runs of spaces align its columns), comma-separated in a .csv (RFC 4180 through csv.ts when a
 * quote appears, else split on commas, which gives the same fields faster on CelebA's 200,000 rows). Blank lines
 * are skipped; each line keeps its 1-based number for errors.
 */
import { parseCsv } from '../csv';
import { DatasetError } from '../errors';

export interface ListingLine {
  readonly fields: readonly string[];
  readonly line: number;
}

export type ListingFormat = 'text' | 'csv';

/** 'csv' for a .csv file, else 'text'. */
export function listingFormat(file: string): ListingFormat {
  return file.toLowerCase().endsWith('.csv') ? 'csv' : 'text';
}

/** Strictly UTF-8 (bytes that are not are an error naming the file, as for a CSV). */
export function decodeListing(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(file, 'expected a UTF-8 text file, found bytes that are not valid UTF-8');
  }
}

export function listingLines(text: string, format: ListingFormat, file: string): ListingLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === 'csv' && body.includes('"')) {
    return parseCsv(body, file).map((r) => ({ fields: r.fields.map((f) => f.trim()), line: r.line }));
  }
  const lines: ListingLine[] = [];
  body.split(/\r?\n|\r/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    lines.push({ fields: format === 'csv' ? trimmed.split(',').map((f) => f.trim()) : trimmed.split(/\s+/), line: i + 1 });
  });
  return lines;
}
