/** Conv and ConvTranspose (any spatial rank, group, stride, dilation, pads, output_padding), bias optional. */
import { Node, attrInt, attrInts, attrString } from '../../onnx/ir';
import { windowGeometry, windowOutputSize } from '../../onnx/conv-geometry';
import { OpImpl, RefTensor, refTensor, required, sizeOf } from './tensor';
import { windowTable } from './window';

function addBias(y: RefTensor, bias: RefTensor | undefined): void {
  if (!bias) return;
  const [n, m] = y.dims;
  const area = sizeOf(y.dims.slice(2));
  for (let b = 0; b < n; b++) for (let c = 0; c < m; c++) for (let p = 0; p < area; p++) y.data[(b * m + c) * area + p] += bias.data[c];
}

export const conv: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const w = required(node, inputs, 1);
  const [batch, channels, ...spatialIn] = x.dims;
  const [maps, groupChannels, ...kernel] = w.dims;
  const group = attrInt(node, 'group', 1);
  if (groupChannels * group !== channels) throw new Error(`reference interpreter: node '${node.name}' (Conv): ${channels} channels do not match weight ${groupChannels}×group ${group}`);
  const geom = windowGeometry(node, spatialIn, kernel);
  const spatialOut = windowOutputSize(geom, spatialIn);
  const { table, taps, positions } = windowTable(spatialOut, kernel, spatialIn, geom.strides, geom.dilations, geom.pads.slice(0, kernel.length));
  const y = refTensor([batch, maps, ...spatialOut]);
  const areaIn = sizeOf(spatialIn);
  const mapsPerGroup = maps / group;
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < maps; m++) {
      const g = Math.floor(m / mapsPerGroup);
      for (let o = 0; o < positions; o++) {
        let acc = 0;
        for (let c = 0; c < groupChannels; c++) {
          const xBase = (n * channels + g * groupChannels + c) * areaIn;
          const wBase = (m * groupChannels + c) * taps;
          for (let k = 0; k < taps; k++) {
            const at = table[o * taps + k];
            if (at >= 0) acc += x.data[xBase + at] * w.data[wBase + k];
          }
        }
        y.data[(n * maps + m) * positions + o] = acc;
      }
    }
  }
  addBias(y, inputs[2]);
  return [y];
};

function transposedOutputSpatial(node: Node, spatialIn: readonly number[], kernel: readonly number[]): { spatialOut: number[]; pads: number[]; strides: number[]; dilations: number[] } {
  const r = spatialIn.length;
  if (attrInts(node, 'output_shape')) throw new Error(`reference interpreter: node '${node.name}' (ConvTranspose): output_shape is not implemented`);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new Error(`reference interpreter: node '${node.name}' (ConvTranspose): auto_pad ${autoPad} is not implemented`);
  const strides = [...(attrInts(node, 'strides') ?? new Array<number>(r).fill(1))];
  const dilations = [...(attrInts(node, 'dilations') ?? new Array<number>(r).fill(1))];
  const pads = autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : [...(attrInts(node, 'pads') ?? new Array<number>(2 * r).fill(0))];
  const outputPadding = attrInts(node, 'output_padding') ?? new Array<number>(r).fill(0);
  const spatialOut = spatialIn.map((n, i) => strides[i] * (n - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + r]);
  return { spatialOut, pads, strides, dilations };
}

export const convTranspose: OpImpl = (node, inputs) => {
  const x = required(node, inputs, 0);
  const w = required(node, inputs, 1);
  const [batch, channels, ...spatialIn] = x.dims;
  const [weightChannels, mapsPerGroup, ...kernel] = w.dims;
  if (weightChannels !== channels) throw new Error(`reference interpreter: node '${node.name}' (ConvTranspose): weight has ${weightChannels} input channels, X has ${channels}`);
  const group = attrInt(node, 'group', 1);
  const { spatialOut, pads, strides, dilations } = transposedOutputSpatial(node, spatialIn, kernel);
  // Each input position scatters into output positions p·stride − pad + k·dilation.
  const { table, taps, positions } = windowTable(spatialIn, kernel, spatialOut, strides, dilations, pads.slice(0, kernel.length));
  const maps = mapsPerGroup * group;
  const channelsPerGroup = channels / group;
  const y = refTensor([batch, maps, ...spatialOut]);
  const areaOut = sizeOf(spatialOut);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const g = Math.floor(c / channelsPerGroup);
      for (let m = 0; m < mapsPerGroup; m++) {
        const yBase = (n * maps + g * mapsPerGroup + m) * areaOut;
        const wBase = (c * mapsPerGroup + m) * taps;
        for (let p = 0; p < positions; p++) {
          const v = x.data[(n * channels + c) * positions + p];
          for (let k = 0; k < taps; k++) {
            const at = table[p * taps + k];
            if (at >= 0) y.data[yBase + at] += v * w.data[wBase + k];
          }
        }
      }
    }
  }
  addBias(y, inputs[2]);
  return [y];
};
