/**
 * The datasets the set-up form offers: the built-in BiasedMNIST and Multi-Color MNIST (generated from the
 * bundled digits), and the user's own found in a workspace folder — folders of .npy arrays (x_train.npy,
 * y_train.npy, b_train.npy, …) and CSV image lists (header path,label,bias[,…], or any header of three or more
 * columns whose first row names a PNG or JPEG file; the form then asks which column is which), and for text models
 * CSV and JSON Lines files of texts and folders of pre-tokenised input_ids.npy (text-datasets.ts), and image folders
 * with an attribute file such as CelebA's list_attr_celeba.txt (attribute-datasets.ts; their image folders are not
 * walked). The search is
 * bounded (depth, folders visited, the first 16 KiB of each CSV) and skips dependency, VCS, hidden and report
 * folders, so a large workspace stays quick.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetOption } from '../protocol/webview-messages';
import type { CsvColumnChoice, DatasetChoice } from '../protocol/jobs';
import { CsvHead, looksLikeImageList, readCsvHead, suggestCsvColumns } from './csv-columns';
import { fashionMnistTrainFiles } from '../core/data/fashion-mnist-files';
import { attributeDatasetsIn } from './attribute-datasets';
import { isTextTableName, textFileDataset, tokenFolderDataset } from './text-datasets';

export { isImageListHeader } from './csv-columns';

/** Whether the core's extract job can run on a user dataset (it reads the built-in ones only, so far). */
export const USER_DATASETS_RUNNABLE = true;
const NOT_RUNNABLE = 'this version of the extension runs BISE on the built-in datasets only; the engine reads this format but its extract job does not take it yet';

export interface DetectedDataset {
  readonly option: DatasetOption;
  /** The folder or CSV file (absolute); null for built-in datasets. */
  readonly location: string | null;
}

export const BUILTIN_DATASETS: readonly DetectedDataset[] = [
  {
    option: {
      id: 'builtin:biased-mnist',
      kind: 'biased-mnist',
      label: 'BiasedMNIST (built in)',
      detail: 'digits on a background colour that agrees with the class with probability ρ (ReBias protocol); 28×28×3',
      supported: true,
      reason: null,
    },
    location: null,
  },
  {
    option: {
      id: 'builtin:multi-color-mnist',
      kind: 'multi-color-mnist',
      label: 'Multi-Color MNIST (built in)',
      detail: 'left and right background halves coloured with their own palettes, two bias attributes; 28×28×3',
      supported: true,
      reason: null,
    },
    location: null,
  },
  fashionMnistOption(),
];

/** Corrupted Fashion-MNIST, runnable where Debian's dataset-fashion-mnist is installed (its files are not bundled). */
export function fashionMnistOption(files = fashionMnistTrainFiles()): DetectedDataset {
  const missing = [files.images, files.labels].filter((f) => !fs.existsSync(f));
  return {
    option: {
      id: 'builtin:corrupted-fashion-mnist',
      kind: 'corrupted-fashion-mnist',
      label: 'Corrupted Fashion-MNIST (built in)',
      detail: 'Fashion-MNIST with one of ten corruptions (noise, blur, fog, …) that agrees with the class with probability ρ; 32×32×3',
      supported: missing.length === 0,
      reason: missing.length === 0 ? null : `needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist): ${missing.join(', ')} not found`,
    },
    location: null,
  };
}

export interface DetectOptions {
  readonly maxDepth?: number;
  readonly maxFolders?: number;
}

const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', 'out', 'dist', '__pycache__', '.venv', 'venv', 'bise-reports']);
const NPY_REQUIRED = ['x_train.npy', 'y_train.npy', 'b_train.npy', 'x_test.npy', 'y_test.npy', 'b_test.npy'] as const;

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function npyDataset(root: string, dir: string, names: ReadonlySet<string>): DetectedDataset {
  const rel = toPosix(path.relative(root, dir)) || '.';
  const missing = NPY_REQUIRED.filter((n) => !names.has(n));
  const hasVal = names.has('x_val.npy');
  const reason = missing.length > 0 ? `missing ${missing.join(', ')} (a .npy dataset needs x_, y_ and b_ arrays for train and test; val is optional)` : USER_DATASETS_RUNNABLE ? null : NOT_RUNNABLE;
  return {
    option: {
      id: `npy:${rel}`,
      kind: 'npy-folder',
      label: `${rel} (.npy arrays)`,
      detail: `${rel}/: x_, y_, b_ arrays for train${hasVal ? ', val' : ''} and test${hasVal ? '' : ' (val carved from train)'}`,
      supported: reason === null,
      reason,
    },
    location: dir,
  };
}

function csvDataset(root: string, file: string, head: CsvHead): DetectedDataset {
  const rel = toPosix(path.relative(root, file));
  const split = head.columns.some((c) => c.toLowerCase() === 'split');
  return {
    option: {
      id: `csv:${rel}`,
      kind: 'image-csv',
      label: `${rel} (image list)`,
      detail: `${rel}: images listed with columns ${head.columns.join(', ')}${split ? '; split column' : '; split by seed'}`,
      supported: USER_DATASETS_RUNNABLE,
      reason: USER_DATASETS_RUNNABLE ? null : NOT_RUNNABLE,
      csv: { columns: head.columns, suggested: suggestCsvColumns(head) },
    },
    location: file,
  };
}

/** The user datasets under `root` (breadth first, sorted by path within a level). */
export function detectWorkspaceDatasets(root: string, options: DetectOptions = {}): DetectedDataset[] {
  const maxDepth = options.maxDepth ?? 4;
  const maxFolders = options.maxFolders ?? 2000;
  const found: DetectedDataset[] = [];
  let queue: { dir: string; depth: number }[] = [{ dir: path.resolve(root), depth: 0 }];
  let visited = 0;
  while (queue.length > 0 && visited < maxFolders) {
    const next: { dir: string; depth: number }[] = [];
    for (const { dir, depth } of queue) {
      if (visited++ >= maxFolders) break;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
      if (files.has('x_train.npy')) found.push(npyDataset(root, dir, files));
      if (files.has('input_ids.npy')) found.push(tokenFolderDataset(root, dir, files));
      const attributes = attributeDatasetsIn(root, dir, files);
      found.push(...attributes.datasets);
      for (const name of files) {
        if (!isTextTableName(name) || attributes.claimed.has(name)) continue;
        const head = name.toLowerCase().endsWith('.csv') ? readCsvHead(path.join(dir, name)) : null;
        if (head && looksLikeImageList(head)) found.push(csvDataset(root, path.join(dir, name), head));
        else {
          // Texts (for a model that takes token ids): a CSV that is no image list, or JSON Lines.
          const text = textFileDataset(root, path.join(dir, name), head);
          if (text) found.push(text);
        }
      }
      if (depth >= maxDepth) continue;
      for (const e of entries) {
        if (!e.isDirectory() || e.name.startsWith('.') || SKIP.has(e.name) || e.name.endsWith('.bise')) continue;
        // An attribute dataset's image folder holds images only (CelebA: 200,000), never another dataset.
        if (attributes.imageFolders.has(path.join(dir, e.name))) continue;
        next.push({ dir: path.join(dir, e.name), depth: depth + 1 });
      }
    }
    queue = next;
  }
  return found;
}

/** The built-in datasets followed by those of each workspace folder. */
export function detectDatasets(workspaceRoots: readonly string[], options: DetectOptions = {}): DetectedDataset[] {
  return [...BUILTIN_DATASETS, ...workspaceRoots.flatMap((r) => detectWorkspaceDatasets(r, options))];
}

/** The job's data for a user dataset (built-in ones are built from the form's numbers, see form.ts); `columns` for a CSV. */
export function userDatasetChoice(d: DetectedDataset, columns?: CsvColumnChoice): DatasetChoice | null {
  if (d.location === null) return null;
  if (d.option.kind === 'npy-folder') return { kind: 'npy-folder', folder: d.location };
  if (d.option.kind === 'image-attributes') return { kind: 'image-attributes', attributes: d.location, ...(columns ? { columns } : {}) };
  if (d.option.kind === 'text-file') return { kind: 'text-file', file: d.location };
  if (d.option.kind === 'token-npy-folder') return { kind: 'token-npy-folder', folder: d.location };
  return { kind: 'image-csv', csv: d.location, ...(columns ? { columns } : {}) };
}
