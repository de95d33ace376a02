/**
 * Where the images of an attribute dataset are, relative to the attribute file's folder (the root): in the root
 * itself; in its one sub-folder of images (CelebA's img_align_celeba/, also when nested as Kaggle ships it,
 * img_align_celeba/img_align_celeba/); or one sub-folder per class (root/<class>/*.png, classes numbered in the
 * sorted order of their names, as torchvision's ImageFolder does). The layout is decided by a bounded look at
 * each folder's first entries, so that the workspace scan never lists a 200,000-image folder; only reading the
 * dataset lists the image folders in full.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ImageFolderLayout {
  /** 'flat': one folder of images; 'classes': one folder per class, the class being the target. */
  readonly kind: 'flat' | 'classes';
  /** The image folders relative to the root with '/' separators ('' = the root); one per class, sorted, for 'classes'. */
  readonly folders: readonly string[];
}

export interface FolderImage {
  /** Relative to the root, with '/' separators. */
  readonly path: string;
  /** Relative to its image folder (the file name). */
  readonly name: string;
  /** Index into the layout's folders (the class, for 'classes'). */
  readonly folder: number;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
/** An image folder shows an image among its first entries; past this many, the look stops. */
const PEEK_ENTRIES = 256;
/** How deep single sub-folders are followed to reach the images (img_align_celeba/img_align_celeba/). */
const MAX_NESTING = 3;
const CELEBA_FOLDER = 'img_align_celeba';

export function isImageFileName(name: string): boolean {
  return IMAGE_FILE.test(name);
}

/** The layout under `root`, or null when neither it nor its sub-folders hold images. */
export function findImageLayout(root: string): ImageFolderLayout | null {
  if (holdsImage(root)) return { kind: 'flat', folders: [''] };
  const subs = subfolders(root);
  const celeba = subs.find((s) => s === CELEBA_FOLDER);
  const nested = celeba === undefined ? null : descendToImages(root, celeba);
  if (nested !== null) return { kind: 'flat', folders: [nested] };
  const direct = subs.filter((s) => holdsImage(path.join(root, s)));
  if (direct.length >= 2) return { kind: 'classes', folders: direct };
  if (direct.length === 1) return { kind: 'flat', folders: direct };
  const deeper = subs.map((s) => descendToImages(root, s)).filter((s): s is string => s !== null);
  return deeper.length === 1 ? { kind: 'flat', folders: deeper } : null;
}

/** Every image of the layout's folders (not of their sub-folders), sorted by path. */
export function listLayoutImages(root: string, layout: ImageFolderLayout): FolderImage[] {
  return layout.folders.flatMap((folder, index) =>
    fs
      .readdirSync(path.join(root, folder), { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && IMAGE_FILE.test(e.name))
      .map((e) => e.name)
      .sort()
      .map((name) => ({ path: folder === '' ? name : `${folder}/${name}`, name, folder: index })),
  );
}

/** How the layout reads in messages: "img_align_celeba/", "the class folders cat/, dog/". */
export function describeLayout(layout: ImageFolderLayout): string {
  if (layout.kind === 'flat') return layout.folders[0] === '' ? "the attribute file's folder" : `${layout.folders[0]}/`;
  const shown = layout.folders.slice(0, 5).map((f) => `${f}/`);
  return `the class folders ${shown.join(', ')}${layout.folders.length > 5 ? ` and ${layout.folders.length - 5} more` : ''}`;
}

/** Whether `dir` shows an image file among its first entries (in the order the file system gives them). */
export function holdsImage(dir: string): boolean {
  let handle: fs.Dir | undefined;
  try {
    handle = fs.opendirSync(dir);
    for (let i = 0; i < PEEK_ENTRIES; i++) {
      const entry = handle.readSync();
      if (entry === null) return false;
      if (!entry.isDirectory() && IMAGE_FILE.test(entry.name)) return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    handle?.closeSync();
  }
}

/** Visible sub-folders, sorted; report folders (*.bise) and dependencies are not data. */
function subfolders(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.endsWith('.bise') && e.name !== 'node_modules')
    .map((e) => e.name)
    .sort();
}

/** `sub` if it holds images, else its only sub-folder's images (a few levels down), else null. */
function descendToImages(root: string, sub: string): string | null {
  let rel = sub;
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    if (holdsImage(path.join(root, rel))) return rel;
    const inner = subfolders(path.join(root, rel));
    if (inner.length !== 1) return null;
    rel = `${rel}/${inner[0]}`;
  }
  return holdsImage(path.join(root, rel)) ? rel : null;
}
