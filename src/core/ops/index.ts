/** Every op the engine knows, one file each (sorted); a test checks that this list and the folder agree. */
import { OpDefinition } from './op';
import { Conv } from './defs/Conv';
import { Relu } from './defs/Relu';

export const ALL_OPS: readonly OpDefinition[] = [
  Conv,
  Relu,
];
