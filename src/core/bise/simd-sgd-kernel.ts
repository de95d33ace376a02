/**
 * The SGD update as a WebAssembly SIMD kernel (f32x4), PyTorch's order of operations with one float32 rounding per
 * operation (no fused multiply-add: the SIMD MVP has none, so every engine gives the same bits):
 *
 *   d = g + wd·p;   buf = d (first step) or μ·buf + d;   p = p − lr·buf
 *
 * Two exported functions, `first` and `next`, each (param, buf, grad: byte addresses, n: floats, lr, μ, wd), four
 * floats at a time and then the n mod 4 left one at a time. lr, μ and wd arrive as f32, rounded as torch rounds a
 * float tensor's scalars. torch's CPU kernels themselves fuse `a + α·b` into one FMA where the CPU has it (ATen's
 * ufunc/add.h, vec::fmadd): one torch 1.13 step over 1M normal values differs from this in the last bit of ~1% of them.
 */
import { Instruction, op, valueType, WasmFunction, wasmModule } from './simd-wasm';

const { i32, f32, v128 } = valueType;

// Parameters, then locals, by index.
const [param, buf, grad, n, lr, mu, wd] = [0, 1, 2, 3, 4, 5, 6];
const [at, vectorEnd, end, lr4, mu4, wd4, p4, b4, p1, b1] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

/** `base + at` on the stack: the address of the current element of one array. */
const address = (base: number): Instruction[] => [op.localGet(base), op.localGet(at), op.i32Add];

/** A loop over `at` from its current value to `limit` (exclusive) in steps of `bytes`. */
function loop(limit: number, bytes: number, body: readonly Instruction[]): Instruction[] {
  return [
    op.block,
    op.loop,
    op.localGet(at), op.localGet(limit), op.i32GeU, op.brIf(1),
    ...body,
    op.localGet(at), op.i32Const(bytes), op.i32Add, op.localSet(at),
    op.br(0),
    op.end,
    op.end,
  ];
}

/** The update of one element (`lanes` 1) or of four (`lanes` 4). */
function update(first: boolean, lanes: 1 | 4): Instruction[] {
  const [load, store, add, sub, mul] = lanes === 4 ? [op.v128Load, op.v128Store, op.f32x4Add, op.f32x4Sub, op.f32x4Mul] : [op.f32Load, op.f32Store, op.f32Add, op.f32Sub, op.f32Mul];
  const [p, b, lrK, muK, wdK] = lanes === 4 ? [p4, b4, lr4, mu4, wd4] : [p1, b1, lr, mu, wd];
  return [
    ...address(param), load, op.localSet(p),
    // d = g + wd·p
    ...address(grad), load, op.localGet(wdK), op.localGet(p), mul, add,
    // buf = d, or μ·buf + d
    ...(first ? [] : [op.localGet(muK), ...address(buf), load, mul, add]),
    op.localSet(b),
    ...address(buf), op.localGet(b), store,
    // p = p − lr·buf
    ...address(param), op.localGet(p), op.localGet(lrK), op.localGet(b), mul, sub, store,
  ];
}

function kernel(first: boolean): WasmFunction {
  return {
    name: first ? 'first' : 'next',
    params: [i32, i32, i32, i32, f32, f32, f32],
    locals: [i32, i32, i32, v128, v128, v128, v128, v128, f32, f32],
    body: [
      // end = 4n bytes; the vector loop stops at the last multiple of 16 bytes.
      op.localGet(n), op.i32Const(2), op.i32Shl, op.localTee(end), op.i32Const(-16), op.i32And, op.localSet(vectorEnd),
      op.localGet(lr), op.f32x4Splat, op.localSet(lr4),
      op.localGet(mu), op.f32x4Splat, op.localSet(mu4),
      op.localGet(wd), op.f32x4Splat, op.localSet(wd4),
      ...loop(vectorEnd, 16, update(first, 4)),
      ...loop(end, 4, update(first, 1)),
    ],
  };
}

/** The module's bytes: imports env.memory, exports `first` and `next`. */
export const sgdKernelBytes: Uint8Array = wasmModule([kernel(true), kernel(false)]);

/** The signature of both exports: byte addresses in the memory, a length in floats, then the hyperparameters. */
export type SgdKernel = (param: number, buf: number, grad: number, n: number, lr: number, momentum: number, weightDecay: number) => void;
