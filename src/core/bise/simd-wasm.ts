/**
 * A tiny WebAssembly binary writer: just enough of the format (spec §5, "Binary Format") to emit a module of a few
 * numeric kernels over one imported memory, so the engine's SIMD kernels are TypeScript with no build step and no
 * toolchain. A function body is written as a list of instructions, each an array of bytes built by `op`.
 */

/** The value types the kernels use (spec §5.3.1). */
export const valueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValueType = (typeof valueType)[keyof typeof valueType];

/** Unsigned LEB128: every index, count, size and SIMD opcode. */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`uleb: ${n} is not a non-negative integer`);
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Signed LEB128: i32.const immediates. */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n)) throw new Error(`sleb: ${n} is not an integer`);
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function bytesOfName(name: string): number[] {
  const utf8 = [...new TextEncoder().encode(name)];
  return [...uleb(utf8.length), ...utf8];
}

/** A vector (count, then the items) of already encoded items. */
function vector(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, content: readonly number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** Memory argument of a load/store: log2 of the alignment hint, then a constant byte offset. */
const memarg = (log2Align: number, offset = 0): number[] => [...uleb(log2Align), ...uleb(offset)];
const simd = (code: number): number[] => [0xfd, ...uleb(code)];

/** One instruction: its opcode bytes and immediates. */
export type Instruction = readonly number[];

/** The instructions the kernels use (spec §5.4); block types are always empty (0x40): no value crosses a block. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32And: [0x71],
  i32Shl: [0x74],
  f32Load: [0x2a, ...memarg(2)],
  f32Store: [0x38, ...memarg(2)],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  v128Load: [...simd(0x00), ...memarg(4)],
  v128Store: [...simd(0x0b), ...memarg(4)],
  f32x4Splat: simd(0x13),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
} as const;

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValueType[];
  /** Locals after the parameters, numbered from params.length on. */
  readonly locals: readonly ValueType[];
  readonly body: readonly Instruction[];
}

/**
 * A module importing one memory as env.memory (at least `minPages` 64 KiB pages) and exporting `functions`, each
 * with its own type and no results.
 */
export function wasmModule(functions: readonly WasmFunction[], minPages = 0): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector([])]);
  const memoryImport = [...bytesOfName('env'), ...bytesOfName('memory'), 0x02, 0x00, ...uleb(minPages)];
  const codes = functions.map((f) => {
    // Locals are declared as runs of one type: (count, type) pairs.
    const runs: number[][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body = [...vector(runs.map(([count, t]) => [...uleb(count), t])), ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...bytesOfName(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(codes)),
  ]);
}

/**
 * The part of the WebAssembly JS API the kernels need. The project's tsconfig has no DOM library (where TypeScript
 * declares WebAssembly), so it is typed here rather than declared globally.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** The runtime's WebAssembly, or undefined where there is none (a host without it, or started with --jitless). */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

export const wasmPageBytes = 65536;
/** The most pages one 32-bit memory may have (4 GiB): addresses are u32. */
export const wasmMaxPages = 65536;
