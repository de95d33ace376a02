/** Every op the engine knows, one file each (sorted); a test checks that this list and the folder agree. */
import { OpDefinition } from './op';
import { Abs } from './defs/Abs';
import { Add } from './defs/Add';
import { And } from './defs/And';
import { AveragePool } from './defs/AveragePool';
import { BatchNormalization } from './defs/BatchNormalization';
import { Cast } from './defs/Cast';
import { Clip } from './defs/Clip';
import { Concat } from './defs/Concat';
import { Constant } from './defs/Constant';
import { ConstantOfShape } from './defs/ConstantOfShape';
import { Conv } from './defs/Conv';
import { ConvTranspose } from './defs/ConvTranspose';
import { Div } from './defs/Div';
import { Dropout } from './defs/Dropout';
import { Einsum } from './defs/Einsum';
import { Elu } from './defs/Elu';
import { Equal } from './defs/Equal';
import { Erf } from './defs/Erf';
import { Exp } from './defs/Exp';
import { Expand } from './defs/Expand';
import { Flatten } from './defs/Flatten';
import { Gather } from './defs/Gather';
import { GatherND } from './defs/GatherND';
import { Gelu } from './defs/Gelu';
import { Gemm } from './defs/Gemm';
import { GlobalAveragePool } from './defs/GlobalAveragePool';
import { GlobalMaxPool } from './defs/GlobalMaxPool';
import { Greater } from './defs/Greater';
import { GroupNormalization } from './defs/GroupNormalization';
import { HardSigmoid } from './defs/HardSigmoid';
import { HardSwish } from './defs/HardSwish';
import { Identity } from './defs/Identity';
import { InstanceNormalization } from './defs/InstanceNormalization';
import { LayerNormalization } from './defs/LayerNormalization';
import { LeakyRelu } from './defs/LeakyRelu';
import { Less } from './defs/Less';
import { Log } from './defs/Log';
import { LogSoftmax } from './defs/LogSoftmax';
import { MatMul } from './defs/MatMul';
import { Max } from './defs/Max';
import { MaxPool } from './defs/MaxPool';
import { Min } from './defs/Min';
import { Mod } from './defs/Mod';
import { Mul } from './defs/Mul';
import { Neg } from './defs/Neg';
import { Not } from './defs/Not';
import { Or } from './defs/Or';
import { PRelu } from './defs/PRelu';
import { Pad } from './defs/Pad';
import { Pow } from './defs/Pow';
import { Range } from './defs/Range';
import { Reciprocal } from './defs/Reciprocal';
import { ReduceL2 } from './defs/ReduceL2';
import { ReduceMax } from './defs/ReduceMax';
import { ReduceMean } from './defs/ReduceMean';
import { ReduceSum } from './defs/ReduceSum';
import { Relu } from './defs/Relu';
import { Reshape } from './defs/Reshape';
import { Resize } from './defs/Resize';
import { ScatterElements } from './defs/ScatterElements';
import { ScatterND } from './defs/ScatterND';
import { Selu } from './defs/Selu';
import { Shape } from './defs/Shape';
import { Sigmoid } from './defs/Sigmoid';
import { Sign } from './defs/Sign';
import { Size } from './defs/Size';
import { Slice } from './defs/Slice';
import { Softmax } from './defs/Softmax';
import { Softplus } from './defs/Softplus';
import { Split } from './defs/Split';
import { Sqrt } from './defs/Sqrt';
import { Squeeze } from './defs/Squeeze';
import { Sub } from './defs/Sub';
import { Sum } from './defs/Sum';
import { Tanh } from './defs/Tanh';
import { Tile } from './defs/Tile';
import { Transpose } from './defs/Transpose';
import { Unsqueeze } from './defs/Unsqueeze';
import { Where } from './defs/Where';

export const ALL_OPS: readonly OpDefinition[] = [
  Abs,
  Add,
  And,
  AveragePool,
  BatchNormalization,
  Cast,
  Clip,
  Concat,
  Constant,
  ConstantOfShape,
  Conv,
  ConvTranspose,
  Div,
  Dropout,
  Einsum,
  Elu,
  Equal,
  Erf,
  Exp,
  Expand,
  Flatten,
  Gather,
  GatherND,
  Gelu,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  Greater,
  GroupNormalization,
  HardSigmoid,
  HardSwish,
  Identity,
  InstanceNormalization,
  LayerNormalization,
  LeakyRelu,
  Less,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  MaxPool,
  Min,
  Mod,
  Mul,
  Neg,
  Not,
  Or,
  PRelu,
  Pad,
  Pow,
  Range,
  Reciprocal,
  ReduceL2,
  ReduceMax,
  ReduceMean,
  ReduceSum,
  Relu,
  Reshape,
  Resize,
  ScatterElements,
  ScatterND,
  Selu,
  Shape,
  Sigmoid,
  Sign,
  Size,
  Slice,
  Softmax,
  Softplus,
  Split,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  Tile,
  Transpose,
  Unsqueeze,
  Where,
];
