/**
 * Joins the lines of an attribute file (or a partition file) with the images on disk, by file name. A line names
 * its image by file name (CelebA's 000001.jpg), or by its path below the attribute file's folder
 * (img_align_celeba/000001.jpg, cat/0001.png: needed where class folders repeat a name). Every listed image must
 * exist, each once, and every image must be listed: where many are affected the error gives the count and the
 * first few, as a user fixing a partial download or a stray folder wants.
 */
import * as path from 'node:path';
import { DatasetError } from '../errors';
import { AttributeList } from './attribute-list';
import { FolderImage, ImageFolderLayout, describeLayout } from './image-folder';
import { PartitionList, PartitionSplit } from './partition-list';

/** How many offending names an error shows before "and N more". */
const SHOWN = 5;

/** The image of each line of the attribute file (indices into `images`). */
export function joinImages(list: AttributeList, images: readonly FolderImage[], layout: ImageFolderLayout): Int32Array {
  const byPath = new Map<string, number>();
  const byName = new Map<string, number[]>();
  images.forEach((image, i) => {
    byPath.set(image.path, i);
    const same = byName.get(image.name);
    if (same) same.push(i);
    else byName.set(image.name, [i]);
  });
  const flatFolder = layout.kind === 'flat' ? layout.folders[0] : '';
  const where = describeLayout(layout);
  const joined = new Int32Array(list.entries.length);
  const missing: number[] = [];
  list.entries.forEach((raw, row) => {
    const entry = raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
    let found: number | undefined;
    if (entry.includes('/')) {
      found = byPath.get(entry) ?? (flatFolder === '' ? undefined : byPath.get(`${flatFolder}/${entry}`));
    } else {
      const same = byName.get(entry) ?? [];
      if (same.length > 1) {
        const paths = same.slice(0, SHOWN).map((i) => images[i].path);
        throw new DatasetError(list.file, `image "${raw}" is in several class folders (${paths.join(', ')}): name it with its folder in the attribute file, e.g. ${paths[0]}`, list.lines[row]);
      }
      found = same[0];
    }
    if (found === undefined) missing.push(row);
    else joined[row] = found;
  });
  if (missing.length === 1) {
    const row = missing[0];
    throw new DatasetError(list.file, `image "${list.entries[row]}" is not in ${where}: expected every listed image to exist`, list.lines[row]);
  }
  if (missing.length > 1) {
    const shown = missing.slice(0, SHOWN).map((row) => `"${list.entries[row]}" (line ${list.lines[row]})`);
    throw new DatasetError(
      list.file,
      `${missing.length} of the ${list.entries.length} images listed are not in ${where}: ${shown.join(', ')}${more(missing.length)}; expected every listed image to exist (an incomplete download or extraction?)`,
    );
  }
  const owner = new Int32Array(images.length).fill(-1);
  joined.forEach((image, row) => {
    const earlier = owner[image];
    if (earlier >= 0) {
      throw new DatasetError(list.file, `image "${images[image].path}" is listed twice, on lines ${list.lines[earlier]} and ${list.lines[row]}: expected each image once`, list.lines[row]);
    }
    owner[image] = row;
  });
  const unlisted = images.filter((_, i) => owner[i] < 0).map((image) => image.path);
  if (unlisted.length > 0) {
    const shown = unlisted.slice(0, SHOWN).map((p) => `"${p}"`);
    throw new DatasetError(
      list.file,
      `${unlisted.length === 1 ? 'an image' : `${unlisted.length} images`} in ${where} ${unlisted.length === 1 ? 'is' : 'are'} not in the attribute file: ${shown.join(', ')}${more(unlisted.length)}; expected a line for every image (add them, or move them out of the folder)`,
    );
  }
  return joined;
}

/**
 * The split of each line of the attribute file, as the partition file gives it (by the same file name; lines of
 * the partition file for images the attribute file leaves out are not used, so that a subset of CelebA keeps
 * the full partition file).
 */
export function partitionSplits(list: AttributeList, partition: PartitionList): PartitionSplit[] {
  const missing: number[] = [];
  const splits = list.entries.map((entry, row) => {
    const found = partition.entries.get(entry) ?? partition.entries.get(path.posix.basename(entry.replace(/\\/g, '/')));
    if (found === undefined) missing.push(row);
    return found?.split ?? 'train';
  });
  if (missing.length > 0) {
    const shown = missing.slice(0, SHOWN).map((row) => `"${list.entries[row]}" (line ${list.lines[row]} of ${path.basename(list.file)})`);
    throw new DatasetError(
      partition.file,
      `${missing.length === 1 ? 'an image' : `${missing.length} images`} of the attribute file ${missing.length === 1 ? 'has' : 'have'} no split here: ${shown.join(', ')}${more(missing.length)}; expected a line (0 = train, 1 = val, 2 = test) for every image`,
    );
  }
  for (const needed of ['train', 'test'] as const) {
    if (!splits.includes(needed)) throw new DatasetError(partition.file, `no image of the attribute file is in the ${needed} split (${needed === 'train' ? 0 : 2}): expected at least one`);
  }
  return splits;
}

function more(count: number): string {
  return count > SHOWN ? ` and ${count - SHOWN} more` : '';
}
