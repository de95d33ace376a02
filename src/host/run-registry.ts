/** Which models have a run in progress: one run per model at a time (a second one is refused with a message). */
import * as path from 'node:path';
import { pathsFor } from './platform-paths';

export interface ActiveRun<T> {
  readonly modelPath: string;
  readonly startedAt: Date;
  readonly handle: T;
}

/** On case-insensitive file systems (Windows, macOS) two spellings of a path name the same model. */
export function modelKey(modelPath: string, platform: NodeJS.Platform = process.platform): string {
  const resolved = pathsFor(platform).resolve(modelPath);
  return platform === 'win32' || platform === 'darwin' ? resolved.toLowerCase() : resolved;
}

export class RunRegistry<T> {
  private readonly runs = new Map<string, ActiveRun<T>>();

  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  /** Why a run of `modelPath` cannot start now, or null when it can. */
  refusal(modelPath: string): string | null {
    const current = this.runs.get(modelKey(modelPath, this.platform));
    if (!current) return null;
    const at = current.startedAt.toTimeString().slice(0, 5);
    return `BISE is already running on ${path.basename(modelPath)} (started at ${at}); cancel that run or wait for it to finish before starting another`;
  }

  /** Registers a run, or says why not. `release` removes it again (idempotent). */
  begin(modelPath: string, handle: T, now = new Date()): { ok: true; release: () => void } | { ok: false; message: string } {
    const key = modelKey(modelPath, this.platform);
    const message = this.refusal(modelPath);
    if (message !== null) return { ok: false, message };
    const run: ActiveRun<T> = { modelPath: path.resolve(modelPath), startedAt: now, handle };
    this.runs.set(key, run);
    return { ok: true, release: () => this.runs.get(key) === run && this.runs.delete(key) && undefined };
  }

  get(modelPath: string): ActiveRun<T> | undefined {
    return this.runs.get(modelKey(modelPath, this.platform));
  }

  isRunning(modelPath: string): boolean {
    return this.get(modelPath) !== undefined;
  }

  active(): ActiveRun<T>[] {
    return [...this.runs.values()];
  }
}
