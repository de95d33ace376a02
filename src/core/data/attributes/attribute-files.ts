/**
 * Which files make an attribute dataset: the attribute file (named like list_attr_celeba.txt, attributes.csv: a
 * .txt or .csv with "attr" in its name, and shaped like one: names, then a file name and −1/0/1 values) and the
 * optional partition file next to it (named like list_eval_partition.txt). `--data` may name the attribute file
 * or its folder. The shape is judged from the file's first 16 KiB, so that the workspace scan stays quick.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from '../errors';
import { AttributeHeader, attributeHeader, isAttributeValue } from './attribute-list';
import { isImageFileName } from './image-folder';
import { decodeListing, listingFormat, listingLines } from './listing-lines';
import { readFileHead } from '../file-head';

export interface AttributeFiles {
  /** The attribute file's folder: images are found under it, and may not lie outside it. */
  readonly root: string;
  readonly attributes: string;
  readonly partition: string | null;
}

/** How much of a file the shape check reads. */
export const LISTING_HEAD_BYTES = 16 * 1024;
const ATTRIBUTE_NAME = /attr[^/\\]*\.(txt|csv)$/i;
const PARTITION_NAME = /partition[^/\\]*\.(txt|csv)$/i;

export function isAttributeFileName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name);
}

/**
 * The header of `file` when its first bytes look like an attribute file (a first image line of a file name and
 * one −1/0/1 value per attribute; in a CSV, a first column not called `path`, which an image list's is), else null.
 */
export function sniffAttributeList(file: string, maxBytes = LISTING_HEAD_BYTES): AttributeHeader | null {
  const text = readFileHead(file, maxBytes, (bytes) => decodeListing(bytes, file));
  if (text === null) return null;
  try {
    const format = listingFormat(file);
    const lines = listingLines(text, format, file);
    const header = attributeHeader(lines, format, file);
    const first = lines[header.dataStart].fields;
    const shaped = first.length === header.names.length + 1 && isImageFileName(first[0]) && first.slice(1).every(isAttributeValue);
    return shaped && header.fileColumn.toLowerCase() !== 'path' ? header : null;
  } catch {
    return null;
  }
}

/** The attribute files among `names` (entries of `dir`), by name and shape. */
export function attributeFilesAmong(dir: string, names: Iterable<string>): string[] {
  return [...names].filter((n) => isAttributeFileName(n) && sniffAttributeList(path.join(dir, n)) !== null).sort();
}

/** Whether `location` is read as an attribute dataset: an attribute file (any .txt), or a folder holding one. */
export function isAttributeData(location: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    return false;
  }
  if (stat.isFile()) return listingFormat(location) === 'text' ? location.toLowerCase().endsWith('.txt') : isAttributeFileName(path.basename(location)) && sniffAttributeList(location) !== null;
  return stat.isDirectory() && !fs.existsSync(path.join(location, 'x_train.npy')) && attributeFilesAmong(location, fs.readdirSync(location)).length > 0;
}

/** The attribute and partition files of `location` (the attribute file, or its folder). */
export function locateAttributeFiles(location: string): AttributeFiles {
  const given = path.resolve(location);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(given);
  } catch (err) {
    throw new DatasetError(given, `could not read it (${(err as Error).message}): expected an attribute file such as list_attr_celeba.txt, or its folder`);
  }
  let attributes: string;
  if (stat.isDirectory()) {
    const found = attributeFilesAmong(given, fs.readdirSync(given));
    if (found.length === 0) {
      throw new DatasetError(given, 'no attribute file found: expected a file like list_attr_celeba.txt (a .txt or .csv with "attr" in its name: attribute names, then a file name and -1/1 values per image)');
    }
    if (found.length > 1) throw new DatasetError(given, `several attribute files: ${found.join(', ')}; name the one to use with --data`);
    attributes = path.join(given, found[0]);
  } else {
    attributes = given;
  }
  const root = path.dirname(attributes);
  const partitions = fs.readdirSync(root).filter((n) => PARTITION_NAME.test(n)).sort();
  if (partitions.length > 1) throw new DatasetError(root, `several partition files: ${partitions.join(', ')}; keep one (or none, to split by seed)`);
  return { root, attributes, partition: partitions.length === 1 ? path.join(root, partitions[0]) : null };
}
