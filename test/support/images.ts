/** PNG and JPEG files for tests, encoded with the same pure-JS libraries the readers decode with. */
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

/** A width×height RGBA image whose pixel (row, col) is pixel(row, col) = [r, g, b] (opaque). */
export function rgbaImage(width: number, height: number, pixel: (row: number, col: number) => readonly [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      data.set([...pixel(row, col), 255], 4 * (row * width + col));
    }
  }
  return data;
}

export function pngBytes(width: number, height: number, rgba: Uint8Array, colorType: 0 | 2 | 6 = 2): Buffer {
  const png = new PNG({ width, height });
  Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength).copy(png.data);
  return PNG.sync.write(png, { colorType });
}

export function jpegBytes(width: number, height: number, rgba: Uint8Array, quality = 100): Buffer {
  return encodeJpeg({ width, height, data: rgba }, quality).data;
}
