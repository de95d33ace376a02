/**
 * An attribute file as CelebA ships it (list_attr_celeba.txt): line 1 the number of images, line 2 the attribute
 * names, then one line per image, `file v1 … vk`, whitespace-separated, each value −1 (absent) or 1 (present).
 * Also read: the count line left out, a file-name column named on the names line, and the CSV form (Kaggle's
 * list_attr_celeba.csv: a header `image_id,5_o_Clock_Shadow,…`, the file name first). Values −1 and 0 read as 0,
 * 1 as 1. Errors name the file and the line.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../errors';
import { ListingFormat, ListingLine, decodeListing, listingFormat, listingLines } from './listing-lines';

export interface AttributeList {
  readonly file: string;
  /** The file-name column's name: as the header gives it, else 'file'. */
  readonly fileColumn: string;
  /** Attribute names, in file order. */
  readonly names: readonly string[];
  /** Line of the names (errors about columns point at it). */
  readonly headerLine: number;
  /** The file name of each image line, as written. */
  readonly entries: readonly string[];
  readonly lines: Int32Array;
  /** entries × names, row-major, 0 or 1. */
  readonly values: Uint8Array;
}

/** The header of an attribute file: its names and where image lines start. */
export interface AttributeHeader {
  readonly fileColumn: string;
  readonly names: readonly string[];
  readonly headerLine: number;
  /** The count on line 1, if the file has one. */
  readonly count: { readonly value: number; readonly line: number } | null;
  /** Index (in the listing's lines) of the first image line. */
  readonly dataStart: number;
}

/** 0 for −1 and 0 (absent), 1 for 1 (present), −1 for anything else. */
function attributeValue(field: string): number {
  if (field === '1' || field === '+1') return 1;
  return field === '-1' || field === '0' ? 0 : -1;
}

/** Whether `field` is an attribute value (−1, 0 or 1). */
export function isAttributeValue(field: string): boolean {
  return attributeValue(field) >= 0;
}

export function readAttributeList(file: string): AttributeList {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `could not read the attribute file (${(err as Error).message})`);
  }
  return parseAttributeList(decodeListing(bytes, file), file, listingFormat(file));
}

export function parseAttributeList(text: string, file: string, format: ListingFormat): AttributeList {
  const lines = listingLines(text, format, file);
  const header = attributeHeader(lines, format, file);
  const { names, dataStart } = header;
  const width = names.length + 1;
  const rows = lines.slice(dataStart);
  if (header.count !== null && header.count.value !== rows.length) {
    throw new DatasetError(file, `the first line says ${header.count.value} images, but ${rows.length} image lines follow: expected as many (a truncated file?)`, header.count.line);
  }
  const values = new Uint8Array(rows.length * names.length);
  const seen = new Map<string, number>();
  rows.forEach(({ fields, line }, i) => {
    if (fields.length !== width) {
      const what = fields.length < width ? 'a short line' : 'a long line';
      throw new DatasetError(file, `${what}: expected ${width} fields (the file name and one value for each of the ${names.length} attributes), got ${fields.length}`, line);
    }
    const entry = fields[0];
    const earlier = seen.get(entry);
    if (earlier !== undefined) throw new DatasetError(file, `image "${entry}" is listed twice, on lines ${earlier} and ${line}: expected each image once`, line);
    seen.set(entry, line);
    for (let k = 0; k < names.length; k++) {
      const field = fields[k + 1];
      const value = attributeValue(field);
      if (value < 0) throw new DatasetError(file, `image "${entry}", attribute "${names[k]}": expected -1, 0 or 1, got "${field}"`, line);
      values[i * names.length + k] = value;
    }
  });
  return { file, fileColumn: header.fileColumn, names, headerLine: header.headerLine, entries: rows.map((r) => r.fields[0]), lines: Int32Array.from(rows, (r) => r.line), values };
}

/**
 * The count line (text only, optional), the names line, and whether the names line names the file column too
 * (it does in a CSV; in a .txt, when it has as many fields as the first image line).
 */
export function attributeHeader(lines: readonly ListingLine[], format: ListingFormat, file: string): AttributeHeader {
  if (lines.length === 0) throw new DatasetError(file, 'the file is empty: expected a line of attribute names, then one line per image (file name, then -1 or 1 per attribute)');
  const first = lines[0];
  const count = format === 'text' && first.fields.length === 1 && /^[0-9]+$/.test(first.fields[0]) ? { value: Number(first.fields[0]), line: first.line } : null;
  const headerIndex = count === null ? 0 : 1;
  const head = lines[headerIndex];
  if (head === undefined) throw new DatasetError(file, 'expected a line of attribute names after the count, got nothing', first.line);
  const data = lines[headerIndex + 1];
  if (data === undefined) throw new DatasetError(file, 'expected at least one image line after the attribute names, got none', head.line);
  let fileColumn: string;
  let names: readonly string[];
  if (format === 'csv' || head.fields.length === data.fields.length) {
    fileColumn = head.fields[0];
    names = head.fields.slice(1);
  } else if (head.fields.length === data.fields.length - 1) {
    fileColumn = 'file';
    names = head.fields;
  } else {
    throw new DatasetError(file, `expected ${head.fields.length + 1} fields (the file name and one value for each of the ${head.fields.length} attributes on line ${head.line}), got ${data.fields.length}`, data.line);
  }
  if (names.length === 0) throw new DatasetError(file, 'expected at least one attribute name after the file-name column, got none', head.line);
  const lower = names.map((n) => n.toLowerCase());
  lower.forEach((n, i) => {
    if (n === '') throw new DatasetError(file, `attribute ${i + 1} has no name`, head.line);
    if (lower.indexOf(n) !== i) throw new DatasetError(file, `attribute "${names[i]}" is named twice: expected distinct names`, head.line);
  });
  return { fileColumn, names, headerLine: head.line, count, dataStart: headerIndex + 1 };
}
