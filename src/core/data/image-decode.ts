/**
 * PNG and JPEG decoding with pure-JavaScript libraries (pngjs, jpeg-js), to 8-bit RGBA. The format is told by
 * the file's first bytes, not its extension. Image sizes are read from the header and checked before the
 * decoder allocates pixels, so a tiny hostile file cannot ask for gigabytes.
 */
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** width·height·4 bytes, row-major RGBA (alpha as stored; 16-bit PNGs scaled to 8 bits). */
  readonly rgba: Uint8Array;
}

/** PIL refuses images over about 89 million pixels as a decompression bomb; we draw the line at 2^26. */
export const DEFAULT_MAX_IMAGE_PIXELS = 1 << 26;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Thrown with a reason a person can read; the caller adds the file and row. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

export function decodeImage(bytes: Uint8Array, maxPixels = DEFAULT_MAX_IMAGE_PIXELS): DecodedImage {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return decodePng(bytes, maxPixels);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpg(bytes, maxPixels);
  const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new ImageDecodeError(`expected a PNG or JPEG image, got ${bytes.length === 0 ? 'an empty file' : `a file starting with ${start}`}`);
}

function decodePng(bytes: Uint8Array, maxPixels: number): DecodedImage {
  // The first chunk must be IHDR: length at 8, type at 12, width and height (big-endian) at 16 and 20.
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || ihdr !== 'IHDR') throw new ImageDecodeError('PNG: expected an IHDR chunk right after the signature (truncated or corrupt file)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkSize('PNG', view.getUint32(16), view.getUint32(20), maxPixels);
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (err) {
    const message = (err as Error).message;
    // pngjs reports a file that ends early as pending reads on a finished stream.
    const reason = /waiti?ng on finished stream/.test(message) ? 'the file ends early (truncated)' : message;
    throw new ImageDecodeError(`PNG: ${reason}`);
  }
}

function decodeJpg(bytes: Uint8Array, maxPixels: number): DecodedImage {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    // jpeg-js checks the frame size against maxResolutionInMP before it allocates; without tolerant decoding,
    // missing blocks are an error rather than grey patches.
    image = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: maxPixels / 1e6 });
  } catch (err) {
    throw new ImageDecodeError(`JPEG: ${(err as Error).message}`);
  }
  checkSize('JPEG', image.width, image.height, maxPixels);
  return { width: image.width, height: image.height, rgba: image.data };
}

function checkSize(format: string, width: number, height: number, maxPixels: number): void {
  if (width < 1 || height < 1) throw new ImageDecodeError(`${format}: expected a positive width and height, got ${width}×${height}`);
  if (width * height > maxPixels) throw new ImageDecodeError(`${format}: ${width}×${height} pixels is more than the limit of ${maxPixels}`);
}
