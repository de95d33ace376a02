/**
 * SGD (sgd.ts's semantics, in float32 per operation) for many tensors at memory speed: the parameters and their
 * momentum buffers live in one WebAssembly memory and a SIMD kernel (simd-sgd-kernel.ts) updates them four floats at
 * a time. The JS loop in sgd.ts is compute-bound (scalar double arithmetic, ~5x slower than reading the memory).
 *
 * The memory is sized once, at creation, for every tensor: growing it would detach every view already handed out,
 * and the caller feeds those very views to onnxruntime each step.
 */
import type { SgdConfig } from './sgd';
import { SgdKernel, sgdKernelBytes } from './simd-sgd-kernel';
import { wasmApi, wasmMaxPages, WasmMemory, wasmPageBytes } from './simd-wasm';

/**
 * Gradients arrive anywhere (an onnxruntime output buffer) and are copied into this scratch region, a chunk at a time,
 * before the kernel reads them: the chunk stays in the (L2) cache between the copy and the kernel, so the copy costs
 * no second pass over memory. 256 KiB: ResNet-18's step measured 15% faster than with 64 KiB chunks (fewer restarts
 * of the streams the hardware prefetches), and it is within the L2 of current x64 and Arm cores.
 */
export const gradientChunkBytes = 262144;
/** Each tensor starts on a 16-byte boundary, the width of a v128 load. */
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

interface Kernels {
  readonly first: SgdKernel;
  readonly next: SgdKernel;
}

let compiled: object | null | undefined;
/** The compiled kernel module, once per process; null where WebAssembly or its SIMD is unavailable. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    const api = wasmApi();
    compiled = api && api.validate(sgdKernelBytes) ? new api.Module(sgdKernelBytes) : null;
  }
  return compiled;
}

export interface SimdSgdOptions {
  /**
   * Also hold a gradient region per tensor (`gradient(i)`), for onnxruntime to write the backward's outputs into
   * (preallocated outputs): `step` then reads them in place, without the chunked copy.
   */
  readonly gradients?: boolean;
}

/** Bytes of one memory holding the scratch region, then every parameter, every momentum buffer, every gradient. */
export function simdSgdBytes(lengths: readonly number[], options: SimdSgdOptions = {}): number {
  return gradientChunkBytes + (options.gradients ? 3 : 2) * lengths.reduce((sum, n) => sum + align16(4 * n), 0);
}

export class SimdSgd {
  private readonly params: Float32Array[];
  private readonly buffers: Float32Array[];
  private readonly gradients: Float32Array[] | undefined;
  private readonly stepped: boolean[];
  private readonly scratch: Float32Array;
  private readonly memoryBuffer: ArrayBuffer;

  private constructor(
    /** Read at every step: replace it between steps to change the learning rate. */
    public config: SgdConfig,
    readonly lengths: readonly number[],
    memory: WasmMemory,
    private readonly kernels: Kernels,
    options: SimdSgdOptions,
  ) {
    this.memoryBuffer = memory.buffer;
    this.scratch = new Float32Array(memory.buffer, 0, gradientChunkBytes / 4);
    let offset = gradientChunkBytes;
    const take = (n: number): Float32Array => {
      const view = new Float32Array(memory.buffer, offset, n);
      offset += align16(4 * n);
      return view;
    };
    this.params = lengths.map(take);
    this.buffers = lengths.map(take);
    this.gradients = options.gradients ? lengths.map(take) : undefined;
    this.stepped = lengths.map(() => false);
  }

  /**
   * An optimizer for tensors of these lengths (in floats), their parameters zero until the caller copies the initial
   * values into `parameter(i)`. Undefined where WebAssembly SIMD is unavailable or the tensors do not fit one 4 GiB
   * memory (or the host refuses that much): the caller falls back to sgd.ts's Sgd.
   */
  static create(config: SgdConfig, lengths: readonly number[], options: SimdSgdOptions = {}): SimdSgd | undefined {
    lengths.forEach((n, i) => {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`SimdSgd: tensor ${i} has length ${n}, not a non-negative integer`);
    });
    const pages = Math.ceil(simdSgdBytes(lengths, options) / wasmPageBytes);
    const api = wasmApi();
    const module = kernelModule();
    if (!api || !module || pages > wasmMaxPages) return undefined;
    let memory: WasmMemory;
    try {
      memory = new api.Memory({ initial: pages, maximum: pages });
    } catch (e) {
      if (e instanceof RangeError) return undefined; // more than this host lends one memory
      throw e;
    }
    const exports = new api.Instance(module, { env: { memory } }).exports;
    return new SimdSgd(config, lengths, memory, { first: exports.first as SgdKernel, next: exports.next as SgdKernel }, options);
  }

  /** Tensor i's parameters: a view into the wasm memory, valid for the optimizer's life. Update it only through `step`. */
  parameter(i: number): Float32Array {
    return this.params[this.index(i)];
  }

  /** Tensor i's momentum buffer (undefined before its first step), as Sgd.momentum. */
  momentum(i: number): Float32Array | undefined {
    return this.stepped[this.index(i)] ? this.buffers[i] : undefined;
  }

  /** Tensor i's gradient region (created with `gradients: true`): a view in the wasm memory, zero until written. */
  gradient(i: number): Float32Array {
    if (!this.gradients) throw new Error('SimdSgd: created without gradient regions (pass { gradients: true } to create)');
    return this.gradients[this.index(i)];
  }

  /**
   * Update tensor i in place from `grad`: any Float32Array of its length, read in place when it lies in this
   * optimizer's memory (`gradient(i)`), else copied through the scratch region a chunk at a time.
   */
  step(i: number, grad: Float32Array): void {
    const param = this.params[this.index(i)];
    const n = param.length;
    if (grad.length !== n) throw new Error(`SimdSgd: the gradient of tensor ${i} has ${grad.length} values, its parameter ${n}`);
    const { lr, momentum, weightDecay } = this.config;
    const kernel = this.stepped[i] ? this.kernels.next : this.kernels.first;
    const buf = this.buffers[i];
    if (grad.buffer === this.memoryBuffer) {
      kernel(param.byteOffset, buf.byteOffset, grad.byteOffset, n, lr, momentum, weightDecay);
      this.stepped[i] = true;
      return;
    }
    const chunk = this.scratch.length;
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      this.scratch.set(count === n ? grad : grad.subarray(start, start + count));
      kernel(param.byteOffset + 4 * start, buf.byteOffset + 4 * start, this.scratch.byteOffset, count, lr, momentum, weightDecay);
    }
    this.stepped[i] = true;
  }

  private index(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.params.length) throw new Error(`SimdSgd: no tensor ${i} (it holds ${this.params.length})`);
    return i;
  }
}
