/**
 * A split file as CelebA ships it (list_eval_partition.txt): one line per image, `file 0|1|2`, for train,
 * validation and test; or its CSV form (Kaggle's list_eval_partition.csv, header `image_id,partition`). The words
 * train, val and test are read too. A first line whose second field is not a split is a header.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../errors';
import { ListingFormat, decodeListing, listingFormat, listingLines } from './listing-lines';

export type PartitionSplit = 'train' | 'val' | 'test';

export interface PartitionEntry {
  readonly split: PartitionSplit;
  readonly line: number;
}

export interface PartitionList {
  readonly file: string;
  /** By file name as written. */
  readonly entries: ReadonlyMap<string, PartitionEntry>;
}

const SPLITS: Readonly<Record<string, PartitionSplit>> = { '0': 'train', '1': 'val', '2': 'test', train: 'train', val: 'val', test: 'test' };

export function readPartitionList(file: string): PartitionList {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `could not read the partition file (${(err as Error).message})`);
  }
  return parsePartitionList(decodeListing(bytes, file), file, listingFormat(file));
}

export function parsePartitionList(text: string, file: string, format: ListingFormat): PartitionList {
  const lines = listingLines(text, format, file);
  const splitOf = (value: string | undefined): PartitionSplit | undefined => (value === undefined ? undefined : SPLITS[value.toLowerCase()]);
  const start = lines.length > 0 && splitOf(lines[0].fields[1]) === undefined && lines[0].fields.length === 2 ? 1 : 0;
  const entries = new Map<string, PartitionEntry>();
  for (const { fields, line } of lines.slice(start)) {
    if (fields.length !== 2) throw new DatasetError(file, `expected 2 fields (the file name and its split: 0 = train, 1 = val, 2 = test), got ${fields.length}`, line);
    const split = splitOf(fields[1]);
    if (split === undefined) throw new DatasetError(file, `image "${fields[0]}": expected the split 0 (train), 1 (val) or 2 (test), got "${fields[1]}"`, line);
    const earlier = entries.get(fields[0]);
    if (earlier !== undefined) throw new DatasetError(file, `image "${fields[0]}" is listed twice, on lines ${earlier.line} and ${line}: expected each image once`, line);
    entries.set(fields[0], { split, line });
  }
  if (entries.size === 0) throw new DatasetError(file, 'the file lists no images: expected one line per image, the file name then 0 (train), 1 (val) or 2 (test)');
  return { file, entries };
}
