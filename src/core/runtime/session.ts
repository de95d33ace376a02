/**
 * onnxruntime-node sessions with execution-provider choice: cpu by default (intra-op threads = cores), cuda or
 * webgpu when asked for and available, falling back to cpu with a message saying why.
 */
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionConfig {
  readonly provider?: ExecutionProvider;
  /** Intra-op threads (default: the number of cores). */
  readonly threads?: number;
  /** Receives human-readable notes, e.g. a fallback to cpu. */
  readonly onNote?: (message: string) => void;
}

export interface Session {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
}

export function availableProviders(): ExecutionProvider[] {
  const backends = ort.listSupportedBackends();
  return EXECUTION_PROVIDERS.filter((p) => backends.some((b) => b.name === p));
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
