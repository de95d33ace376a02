// Writes the attribute-dataset fixtures of test/fixtures/: two tiny image folders with attribute files, in the
// layouts src/core/data/attributes/ reads.
//
//   celeba-attributes/  CelebA as distributed: img_align_celeba/ (24 8×8 PNGs), list_attr_celeba.txt (count line,
//                       names line, `file v1 … vk` with -1/1 and CelebA's padding spaces) and list_eval_partition.txt
//                       (0/1/2 = train/val/test).
//   celeba-classes/     one sub-folder per class (blond/, dark/: 8 PNGs each) and attributes.csv (a CSV with a
//                       file-name column, 0/1 values) giving the bias; no partition file (split by seed).
//
// Target Blond_Hair and bias Male are correlated in train (most blond images are female) and balanced in val and
// test, as in CelebA. Each image's colour carries both (brightness = target, red tint = bias) plus seeded noise.
//
//     node scripts/make-celeba-fixture.mjs
//
// The output is deterministic: rerunning gives byte-identical files (pngjs through node's zlib).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 8;

/** A small LCG (Numerical Recipes), so the noise is the same on every machine. */
function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function png(blond, male, rand) {
  const image = new PNG({ width: SIZE, height: SIZE });
  for (let p = 0; p < SIZE * SIZE; p++) {
    const noise = () => Math.round((rand() - 0.5) * 40);
    const base = blond ? 190 : 70;
    const clamp = (v) => Math.max(0, Math.min(255, v));
    image.data[4 * p] = clamp(base + (male ? 50 : -30) + noise());
    image.data[4 * p + 1] = clamp(base + noise());
    image.data[4 * p + 2] = clamp(base - 20 + noise());
    image.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(image, { colorType: 2 });
}

/** [blond, male] per split: train aligned 3:1 (blond mostly female), val and test one of each group. */
const GROUPS = {
  train: [[1, 0], [1, 0], [1, 0], [1, 1], [0, 1], [0, 1], [0, 1], [0, 0], [1, 0], [1, 0], [1, 0], [1, 1], [0, 1], [0, 1], [0, 1], [0, 0]],
  val: [[1, 0], [1, 1], [0, 0], [0, 1]],
  test: [[1, 0], [1, 1], [0, 0], [0, 1]],
};
const PARTITION = { train: 0, val: 1, test: 2 };

function writeCelebaLayout() {
  const dir = join(root, 'test', 'fixtures', 'celeba-attributes');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'img_align_celeba'), { recursive: true });
  const rand = lcg(15);
  const names = ['Blond_Hair', 'Male', 'Smiling', 'Young'];
  const attrLines = [];
  const partitionLines = [];
  let n = 0;
  for (const [split, groups] of Object.entries(GROUPS)) {
    for (const [blond, male] of groups) {
      n++;
      const file = `${String(n).padStart(6, '0')}.png`;
      writeFileSync(join(dir, 'img_align_celeba', file), png(blond, male, rand));
      const smiling = n % 2;
      const young = n % 3 === 0 ? 0 : 1;
      // CelebA pads each value to two characters: " 1" or "-1", after a space.
      const value = (v) => (v ? ' 1' : '-1');
      attrLines.push(`${file} ${[blond, male, smiling, young].map(value).join(' ')}`);
      partitionLines.push(`${file} ${PARTITION[split]}`);
    }
  }
  writeFileSync(join(dir, 'list_attr_celeba.txt'), [String(n), `${names.join(' ')} `, ...attrLines].join('\n') + '\n');
  writeFileSync(join(dir, 'list_eval_partition.txt'), partitionLines.join('\n') + '\n');
}

function writeClassLayout() {
  const dir = join(root, 'test', 'fixtures', 'celeba-classes');
  rmSync(dir, { recursive: true, force: true });
  const rand = lcg(16);
  const rows = ['image_id,Male,Smiling'];
  const groups = [...GROUPS.train];
  let n = 0;
  for (const [blond, male] of groups) {
    n++;
    const folder = blond ? 'blond' : 'dark';
    mkdirSync(join(dir, folder), { recursive: true });
    const file = `img${String(n).padStart(2, '0')}.png`;
    writeFileSync(join(dir, folder, file), png(blond, male, rand));
    // Most lines name the file alone; a few its folder too, which the join also takes.
    rows.push(`${n % 4 === 0 ? `${folder}/${file}` : file},${male},${n % 2}`);
  }
  writeFileSync(join(dir, 'attributes.csv'), rows.join('\n') + '\n');
}

writeCelebaLayout();
writeClassLayout();
