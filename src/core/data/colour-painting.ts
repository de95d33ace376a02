/**
 * Turns grayscale digits into normalised RGB images (NCHW): digit pixels (> 0) white, background pixels the
 * palette colour of the region (a band of columns) they lie in. BiasedMNIST uses one region, Multi-Color MNIST a
 * left and a right half.
 */
import { DatasetError } from './errors';
import { GrayImages } from './gray-digits';
import { DIGIT_COLOUR, Rgb, normaliseChannel } from './palette';

export interface BackgroundRegion {
  /** First column of the band (inclusive). */
  readonly fromColumn: number;
  /** End of the band (exclusive). */
  readonly toColumn: number;
  /** Palette index per image. */
  readonly colours: Int32Array;
}

/** count×3×height×width, each channel normalised with mean and std 0.5. */
export function paintBackgrounds(images: GrayImages, regions: readonly BackgroundRegion[], palette: readonly Rgb[], source = 'images'): Float32Array {
  const { count, height, width, pixels } = images;
  const regionOfColumn = columnRegions(regions, width, count, palette.length, source);
  const normalisedPalette = palette.map((rgb) => rgb.map(normaliseChannel));
  const white = DIGIT_COLOUR.map(normaliseChannel);
  const area = height * width;
  const out = new Float32Array(count * 3 * area);
  for (let n = 0; n < count; n++) {
    const background = regions.map((region) => normalisedPalette[region.colours[n]]);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const p = r * width + c;
        const rgb = pixels[n * area + p] > 0 ? white : background[regionOfColumn[c]];
        for (let ch = 0; ch < 3; ch++) out[(n * 3 + ch) * area + p] = rgb[ch];
      }
    }
  }
  return out;
}

/** Region index of each column; checks the regions tile the width exactly and hold a valid colour per image. */
function columnRegions(regions: readonly BackgroundRegion[], width: number, count: number, paletteSize: number, source: string): Int32Array {
  const regionOfColumn = new Int32Array(width).fill(-1);
  regions.forEach((region, k) => {
    if (region.colours.length !== count) throw new DatasetError(source, `background region ${k}: expected ${count} colours (one per image), got ${region.colours.length}`);
    region.colours.forEach((colour, row) => {
      if (colour < 0 || colour >= paletteSize) throw new DatasetError(source, `background region ${k}: expected a palette index in [0, ${paletteSize}), got ${colour}`, row);
    });
    for (let c = region.fromColumn; c < region.toColumn; c++) {
      if (c < 0 || c >= width || regionOfColumn[c] !== -1) throw new DatasetError(source, `background region ${k}: column ${c} is outside [0, ${width}) or already in another region`);
      regionOfColumn[c] = k;
    }
  });
  const uncovered = regionOfColumn.indexOf(-1);
  if (uncovered !== -1) throw new DatasetError(source, `background regions: expected them to cover every column, column ${uncovered} is in none`);
  return regionOfColumn;
}
