/**
 * onnxruntime-node sessions with execution-provider choice: cpu by default (intra-op threads = cores), cuda or
 * webgpu when asked for and available, falling back to cpu with a message saying why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionConfig {
  readonly provider?: ExecutionProvider;
  /** Intra-op threads (default: the number of cores). */
  readonly threads?: number;
  /**
   * Compute large stride-1 convolutions of the engine's step graphs in the frequency domain on cpu (default
   * true; graphs/frequency-conv). Results equal the direct conv up to float32 rounding.
   */
  readonly frequencyConv?: boolean;
  /**
   * Lower a conv to the frequency domain only when its activation spectra (frequency-conv/plan.ts workspaceBytes)
   * take at most this many bytes (default: no limit). memory-budget.ts sets it.
   */
  readonly frequencyConvMaxBytes?: number;
  /**
   * onnxruntime's cpu memory arena (default true). The arena keeps every block a session ever took, so the first
   * run's blocks and the memory-pattern block of later runs add up, per session; without it each run allocates and
   * frees (lower peak, slower where large tensors are paged in again every run). memory-budget.ts sets it.
   */
  readonly memoryArena?: boolean;
  /**
   * onnxruntime's memory pattern (default true): from the second run a session takes all its intermediates as one
   * planned block, and with the arena on that block comes on top of the first run's blocks. Off, the arena serves
   * every run tensor by tensor from the blocks it has. memory-budget.ts sets it.
   */
  readonly memoryPattern?: boolean;
  /**
   * Bytes a step's sessions may add to the process (weights as they hold them, the tensors kept between forward and
   * backward, intermediates): when given, the step's runner (fused, two-session or training) picks
   * frequencyConvMaxBytes, memoryArena and memoryPattern by an estimate (memory-budget.ts, training-memory-budget.ts).
   */
  readonly memoryBudgetBytes?: number;
  /**
   * Convs whose weights are fed at run time (training) run onnxruntime's blocked NCHWc kernels on cpu, the weight
   * reordered in the graph (graphs/nchwc-fed-convs.ts; default true). Off: the NCHW kernel, for before/after benches.
   */
  readonly nchwcConvs?: boolean;
  /** Receives human-readable notes, e.g. a fallback to cpu. */
  readonly onNote?: (message: string) => void;
  /** Receives what the memory budget chose and why (memory-budget.ts); informational, unlike onNote. */
  readonly onMemoryChoice?: (message: string) => void;
}

/** Whether the engine's graphs for this configuration compute large convs in the frequency domain (cpu only). */
export function lowersConvs(config: SessionConfig): boolean {
  return config.frequencyConv !== false && (config.provider ?? 'cpu') === 'cpu';
}

export interface Session {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
}

/**
 * Providers this onnxruntime-node build can try: the bundled ones (cpu, webgpu), and cuda only when its
 * provider libraries were installed (the offline install skips them). Whether a GPU answers is only known when
 * a session starts; createSession falls back to cpu then.
 */
export function availableProviders(): ExecutionProvider[] {
  const backends = ort.listSupportedBackends();
  return EXECUTION_PROVIDERS.filter((p) => backends.some((b) => b.name === p && (b.bundled || providerLibraryInstalled(p))));
}

function providerLibraryInstalled(provider: ExecutionProvider): boolean {
  try {
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(path.join(dir, `libonnxruntime_providers_${provider}.so`)) || fs.existsSync(path.join(dir, `onnxruntime_providers_${provider}.dll`));
  } catch {
    return false;
  }
}

export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export async function createSession(model: Uint8Array, config: SessionConfig = {}): Promise<Session> {
  const wanted = config.provider ?? 'cpu';
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: config.threads ?? defaultThreads(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Warnings (e.g. about initializers a specialised graph no longer reads) are not the user's concern.
    logSeverityLevel: 3,
    // Each session has its own intra-op pool, and a step alternates two sessions (forward, backward): pool
    // threads that keep spinning after their Run returned steal the cores from the other session. Measured on
    // ResNet-18's mask step, 2 threads: 101 -> 54 ms (it was slower than with 1 thread); SimpleConvNet no worse.
    extra: { session: { force_spinning_stop: '1' } },
    ...(config.memoryArena === false ? { enableCpuMemArena: false } : {}),
    ...(config.memoryPattern === false ? { enableMemPattern: false } : {}),
    // Speed work: BISE_ORT_PROFILE=/tmp/prefix writes onnxruntime's per-node timings (one JSON per session, at release).
    ...(process.env.BISE_ORT_PROFILE ? { enableProfiling: true, profileFilePrefix: process.env.BISE_ORT_PROFILE } : {}),
  };
  if (wanted !== 'cpu') {
    if (!availableProviders().includes(wanted)) {
      config.onNote?.(`execution provider '${wanted}' is not available in this onnxruntime-node build (available: ${availableProviders().join(', ')}); using cpu`);
    } else {
      try {
        const session = await ort.InferenceSession.create(model, { ...base, executionProviders: [wanted] });
        return { session, provider: wanted };
      } catch (e) {
        config.onNote?.(`execution provider '${wanted}' failed to start (${(e as Error).message.split('\n')[0]}); using cpu`);
      }
    }
  }
  const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu' };
}
