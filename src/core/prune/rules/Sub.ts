import { elementwise } from './helpers';

/** Broadcasting Sub: operands spanning the channel axis must agree; per-channel constants are sliced. */
export const Sub = elementwise('Sub');
