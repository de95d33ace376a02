import { elementwise } from './helpers';

/** Broadcasting Div: operands spanning the channel axis must agree; per-channel constants are sliced. */
export const Div = elementwise('Div');
