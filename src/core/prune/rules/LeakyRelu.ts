import { passThrough } from './helpers';

/** Acts on each channel separately: the output keeps the input's channels. */
export const LeakyRelu = passThrough('LeakyRelu');
