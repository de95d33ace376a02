import { elementwise } from './helpers';

/** Broadcasting Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
export const Add = elementwise('Add');
