/** How many image-decoding workers run, and at what priority (streaming/decode-pool.ts, decode-worker.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CsvImageRef } from '../../../../src/core/data/csv-images';
import { DecodePool, decodeWorkerCeiling, decodeWorkersFor } from '../../../../src/core/data/streaming/decode-pool';
import { SampleTarget } from '../../../../src/core/data/streaming/prepare-image';
import { pngBytes, rgbaImage } from '../../../support/images';

const dir = mkdtempSync(join(tmpdir(), 'bise-decode-pool-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const TARGET: SampleTarget = { dims: [3, 16, 16], norm: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } };

function images(count: number): CsvImageRef[] {
  writeFileSync(join(dir, 'a.png'), pngBytes(16, 16, rgbaImage(16, 16, (x, y) => [x * 16, y * 16, 7])));
  const ref: CsvImageRef = { root: dir, path: join(dir, 'a.png'), entry: 'a.png', csv: join(dir, 'data.csv'), line: 2, channels: 3, maxPixels: 1 << 20 };
  return Array.from({ length: count }, () => ref);
}

test('the ceiling comes from the core count: one per core but one, and on Linux one more at a lower priority; 1 to 8', () => {
  assert.deepEqual([1, 2, 4, 16].map((cores) => decodeWorkerCeiling(cores, 'linux')), [2, 2, 4, 8]);
  assert.deepEqual([1, 2, 4, 16].map((cores) => decodeWorkerCeiling(cores, 'darwin')), [1, 1, 3, 8]);
  assert.equal(decodeWorkerCeiling(2, 'win32'), 1);
});

test('the worker count decodes as fast as the step consumes, with headroom, within [1, ceiling]; unknown rates give the ceiling', () => {
  // A 100 ms step on batches of 64 consumes 640 images a second: 300 a second per worker needs three (with headroom).
  assert.equal(decodeWorkersFor(640, 300, 8), 3);
  assert.equal(decodeWorkersFor(640, 300, 2), 2);
  assert.equal(decodeWorkersFor(640, 1000, 8), 1);
  assert.equal(decodeWorkersFor(10, 1000, 8), 1);
  for (const [demand, speed] of [[Infinity, 300], [640, 0], [NaN, 300], [0, 300]]) assert.equal(decodeWorkersFor(demand, speed, 4), 4, `demand ${demand}, speed ${speed}`);
});

test('a self-sizing pool measures decoding, shrinks for a slow step, grows while the step waits, and gives a worker back after calm batches', async () => {
  const pool = new DecodePool({ maxWorkers: 3 });
  try {
    assert.equal(pool.workerTarget, 3, 'before any measurement the pool may use its ceiling');
    assert.equal(pool.imagesPerWorkerSecond, undefined);
    assert.equal((await Promise.all(pool.decode(images(8), TARGET))).length, 8);
    assert.ok((pool.imagesPerWorkerSecond ?? 0) > 0);
    // A step of 10 s per batch of 8 wants under one image a second: one worker.
    pool.pace(8, 10_000, 0);
    assert.equal(pool.workerTarget, 1);
    // The step waited (more than 5% of its step time): one more worker each time, up to the ceiling.
    for (const expected of [2, 3, 3]) {
      pool.pace(8, 10_000, 1_000);
      assert.equal(pool.workerTarget, expected);
    }
    for (let i = 0; i < 49; i++) pool.pace(8, 10_000, 0);
    assert.equal(pool.workerTarget, 3);
    pool.pace(8, 10_000, 0);
    assert.equal(pool.workerTarget, 2, 'fifty batches without waiting give one worker back');
    // A fixed pool ignores the pace.
    const fixed = new DecodePool({ workers: 2 });
    fixed.pace(8, 10_000, 0);
    assert.equal(fixed.workerTarget, 2);
    await fixed.close();
  } finally {
    await pool.close();
  }
});

test('on Linux the workers beyond one per core but one run at a lower priority than the process, so the step keeps its cores', { skip: process.platform !== 'linux' }, async () => {
  /** Nice values of this process's threads (field 19 of /proc/self/task/<tid>/stat; the name in field 2 may hold spaces). */
  const niceValues = (): number[] =>
    readdirSync('/proc/self/task').flatMap((tid) => {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
      } catch {
        return []; // the thread ended meanwhile
      }
    });
  const base = getPriority();
  assert.ok(!niceValues().includes(base + 7));
  const pool = new DecodePool({ workers: 3, niceness: 7, lowPriorityAfter: 1 });
  try {
    await Promise.all(pool.decode(images(24), TARGET));
    assert.equal(niceValues().filter((n) => n === base + 7).length, 2, `thread nice values: ${niceValues().join(' ')}`);
    assert.equal(getPriority(), base, 'the process (main thread) keeps its priority');
  } finally {
    await pool.close();
  }
});
