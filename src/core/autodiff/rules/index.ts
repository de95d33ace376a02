/** Every differentiable op, one file each; a test checks that this list and the folder agree. */
import { GradientRule } from '../rule';
import { Add } from './Add';
import { Conv } from './Conv';
import { Flatten } from './Flatten';
import { Gemm } from './Gemm';
import { GlobalAveragePool } from './GlobalAveragePool';
import { Identity } from './Identity';
import { MaxPool } from './MaxPool';
import { Mul } from './Mul';
import { Relu } from './Relu';

export const ALL_RULES: readonly GradientRule[] = [Add, Conv, Flatten, Gemm, GlobalAveragePool, Identity, MaxPool, Mul, Relu];
