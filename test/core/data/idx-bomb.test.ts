/** A gzipped IDX file that inflates past the limit is refused before the memory is taken (a gzip bomb). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { MAX_IDX_BYTES, parseIdx } from '../../../src/core/data/idx';

function idx(count: number): Uint8Array {
  const bytes = new Uint8Array(8 + count);
  bytes.set([0, 0, 0x08, 1]);
  new DataView(bytes.buffer).setUint32(4, count, false);
  return bytes;
}

test('an IDX .gz that inflates past the limit is refused, naming the file', () => {
  const bomb = gzipSync(idx(1 << 20)); // 1 MiB of zeros in about 1 KiB
  assert.ok(bomb.length < 4096);
  assert.throws(() => parseIdx(bomb, 'labels.idx.gz', 1 << 16), /^DatasetError: labels\.idx\.gz: decompresses to more than 65536 bytes/);
  assert.equal(parseIdx(bomb, 'labels.idx.gz', 1 << 21).dims[0], 1 << 20);
});

test('the default limit leaves room for the largest real IDX files', () => {
  assert.ok(MAX_IDX_BYTES >= 800e6);
});
