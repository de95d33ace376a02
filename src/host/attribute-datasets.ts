/**
 * The workspace scan's image folders with an attribute file (CelebA's list_attr_celeba.txt next to
 * img_align_celeba/, or one sub-folder per class with an attribute file): found by the attribute file's name and
 * shape (its first 16 KiB), the layout by a bounded look at the first entries of each sub-folder, so that a
 * 200,000-image folder is never listed. The form offers the attributes as the columns to pick the target and the
 * bias from, with CelebA's Blond_Hair and Male (the BISE paper's choice) pre-selected where they exist.
 */
import * as path from 'node:path';
import type { DetectedDataset } from './datasets';
import type { CsvColumnChoice } from '../protocol/jobs';
import { attributeFilesAmong, locateAttributeFiles, sniffAttributeList } from '../core/data/attributes/attribute-files';
import type { AttributeHeader } from '../core/data/attributes/attribute-list';
import { classColumnName } from '../core/data/attributes/attribute-roles';
import { ImageFolderLayout, describeLayout, findImageLayout } from '../core/data/attributes/image-folder';

export interface FolderAttributeDatasets {
  readonly datasets: readonly DetectedDataset[];
  /** File names of `dir` that are part of an attribute dataset (not image lists or texts of their own). */
  readonly claimed: ReadonlySet<string>;
  /** Image folders (absolute) the scan need not walk into. */
  readonly imageFolders: ReadonlySet<string>;
}

/** The attribute datasets whose attribute file lies in `dir` (`files`: its file names). */
export function attributeDatasetsIn(workspaceRoot: string, dir: string, files: ReadonlySet<string>): FolderAttributeDatasets {
  const datasets: DetectedDataset[] = [];
  const claimed = new Set<string>();
  const imageFolders = new Set<string>();
  const candidates = attributeFilesAmong(dir, files);
  if (candidates.length === 0) return { datasets, claimed, imageFolders };
  const layout = findImageLayout(dir);
  for (const folder of layout?.folders ?? []) {
    if (folder !== '') imageFolders.add(path.join(dir, folder.split('/')[0]));
  }
  let partition: string | null = null;
  let partitionProblem: string | null = null;
  try {
    partition = locateAttributeFiles(path.join(dir, candidates[0])).partition;
  } catch (e) {
    partitionProblem = (e as Error).message;
  }
  if (partition !== null) claimed.add(path.basename(partition));
  for (const name of candidates) {
    const header = sniffAttributeList(path.join(dir, name)) as AttributeHeader;
    claimed.add(name);
    datasets.push(attributeDataset(workspaceRoot, path.join(dir, name), header, layout, partition, partitionProblem));
  }
  return { datasets, claimed, imageFolders };
}

function attributeDataset(
  workspaceRoot: string,
  file: string,
  header: AttributeHeader,
  layout: ImageFolderLayout | null,
  partition: string | null,
  partitionProblem: string | null,
): DetectedDataset {
  const rel = path.relative(workspaceRoot, file).split(path.sep).join('/');
  const reason =
    layout === null
      ? `no PNG or JPEG images next to ${path.basename(file)}: expected CelebA's img_align_celeba/ (or the images themselves) or one sub-folder of images per class`
      : partitionProblem;
  const classes = layout?.kind === 'classes';
  const columns = [header.fileColumn, ...(classes ? [classColumnName(header.names)] : []), ...header.names];
  const where = layout === null ? 'no images found' : `images in ${describeLayout(layout)}`;
  const splits = partition === null ? 'split by seed' : `splits from ${path.basename(partition)}`;
  return {
    option: {
      id: `attributes:${rel}`,
      kind: 'image-attributes',
      label: `${rel} (images with attributes)`,
      detail: `${rel}: ${header.names.length} attributes; ${where}; ${splits}`,
      supported: reason === null,
      reason,
      csv: { columns, suggested: suggestAttributes(header, classes) },
    },
    location: file,
  };
}


/**
 * The target and bias the form pre-selects: the class folder (with class folders) or Blond_Hair, else the first
 * attribute; the bias Male, else the first attribute left.
 */
export function suggestAttributes(header: AttributeHeader, classes: boolean): CsvColumnChoice {
  const named = (wanted: string): string | undefined => header.names.find((n) => n.toLowerCase() === wanted);
  const target = classes ? classColumnName(header.names) : (named('blond_hair') ?? header.names[0]);
  const bias = [named('male'), ...header.names].find((n) => n !== undefined && n !== target);
  return { path: header.fileColumn, target, bias: bias === undefined ? [] : [bias] };
}
