// Reads a zip's (a .vsix's) file list from its central directory, and one entry's bytes, without unpacking it.
// Format: PKWARE APPNOTE.TXT §4.3 — the end-of-central-directory record at the end of the file points at the
// central directory, whose records give each entry's name, sizes and local header offset. No zip64 (a .vsix is far
// below 4 GB); a file that needs it is refused with a message.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants, inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function readAt(fd, offset, length) {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, offset);
  return buf.subarray(0, n);
}

/** [{ name, method, compressedSize, size, localOffset }] of every entry in `file`. */
export function zipEntries(file) {
  const fd = openSync(file, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    // The record is 22 bytes plus a comment of at most 65535.
    const tailStart = Math.max(0, fileSize - 22 - 0xffff);
    const tail = readAt(fd, tailStart, fileSize - tailStart);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) { at = i; break; }
    }
    if (at < 0) throw new Error(`${file}: no zip end-of-central-directory record (not a zip, or truncated)`);
    const count = tail.readUInt16LE(at + 10);
    const cdSize = tail.readUInt32LE(at + 12);
    const cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new Error(`${file}: a zip64 archive, which this reader does not read`);
    const cd = readAt(fd, cdOffset, cdSize);
    const entries = [];
    for (let p = 0; entries.length < count; ) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new Error(`${file}: central directory record ${entries.length + 1} of ${count} is damaged (offset ${cdOffset + p})`);
      const nameLength = cd.readUInt16LE(p + 28);
      entries.push({
        name: cd.toString('utf8', p + 46, p + 46 + nameLength),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
      });
      p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/**
 * The uncompressed bytes of `entry` (from zipEntries) in `file`: stored (0) or deflated (8). With `head`, only
 * its first `head` bytes (a binary's header), inflated from a prefix of the compressed data.
 */
export function zipEntryData(file, entry, head = Infinity) {
  const fd = openSync(file, 'r');
  try {
    const header = readAt(fd, entry.localOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw new Error(`${file}: the local header of ${entry.name} is damaged`);
    const dataStart = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    // Deflate grows no data by more than a few bytes a block, so twice `head` plus a block header's worth of
    // compressed bytes holds the first `head` bytes; a sync flush inflates a prefix without asking for the rest.
    const prefix = 2 * head + 4096;
    const partial = entry.method === 8 && prefix < entry.compressedSize;
    const raw = readAt(fd, dataStart, partial ? prefix : entry.compressedSize);
    if (entry.method === 0) return raw.subarray(0, Math.min(raw.length, head));
    if (entry.method === 8) {
      const data = inflateRawSync(raw, partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {});
      if (partial && data.length < head) throw new Error(`${file}: the first ${head} bytes of ${entry.name} did not inflate from ${prefix} compressed bytes`);
      return partial ? data.subarray(0, head) : data;
    }
    throw new Error(`${file}: ${entry.name} uses compression method ${entry.method}, not stored (0) or deflate (8)`);
  } finally {
    closeSync(fd);
  }
}
