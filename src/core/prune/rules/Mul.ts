import { elementwise } from './helpers';

/** Broadcasting Mul: operands spanning the channel axis must agree; per-channel constants are sliced. */
export const Mul = elementwise('Mul');
