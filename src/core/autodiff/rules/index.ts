/** Every differentiable op, one file each; a test checks that this list and the folder agree. */
import { GradientRule } from '../rule';
import { Add } from './Add';
import { AveragePool } from './AveragePool';
import { BatchNormalization } from './BatchNormalization';
import { Clip } from './Clip';
import { Concat } from './Concat';
import { ConvTranspose } from './ConvTranspose';
import { Div } from './Div';
import { Dropout } from './Dropout';
import { Flatten } from './Flatten';
import { Gemm } from './Gemm';
import { GlobalAveragePool } from './GlobalAveragePool';
import { Identity } from './Identity';
import { LeakyRelu } from './LeakyRelu';
import { MatMul } from './MatMul';
import { MaxPool } from './MaxPool';
import { Mul } from './Mul';
import { Reshape } from './Reshape';
import { Sigmoid } from './Sigmoid';
import { Softmax } from './Softmax';
import { Sqrt } from './Sqrt';
import { Sub } from './Sub';
import { Tanh } from './Tanh';
import { Transpose } from './Transpose';

export const ALL_RULES: readonly GradientRule[] = [
  Add,
  AveragePool,
  BatchNormalization,
  Clip,
  Concat,
  ConvTranspose,
  Div,
  Dropout,
  Flatten,
  Gemm,
  GlobalAveragePool,
  Identity,
  LeakyRelu,
  MatMul,
  MaxPool,
  Mul,
  Reshape,
  Sigmoid,
  Softmax,
  Sqrt,
  Sub,
  Tanh,
  Transpose,
];
