/**
 * Runs one fuzz target in a child process with a heap limit and a watchdog: an input that takes longer than
 * the per-input limit gets the process killed and is reported (with its index and mutation, to reproduce it).
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { FuzzChildMessage, FuzzRequest } from './fuzz-child';

export interface FuzzReport {
  readonly inputs: number;
  readonly accepted: number;
  readonly refused: number;
  readonly bugs: readonly { index: number; what: string; error: string }[];
  readonly hang: { index: number; what: string } | null;
  readonly slowest: { index: number; ms: number; what: string };
  readonly seconds: number;
}

export interface FuzzOptions {
  readonly target: string;
  readonly seed: number;
  readonly count: number;
  /** An input that runs longer than this is a hang. */
  readonly perInputMs: number;
  readonly maxRssBytes?: number;
  readonly heapMb?: number;
}

export function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const child = fork(path.join(__dirname, 'fuzz-child.ts'), [], {
    execArgv: ['--import', 'tsx', `--max-old-space-size=${o.heapMb ?? 512}`],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const bugs: { index: number; what: string; error: string }[] = [];
  let current = { index: -1, what: '(starting)', since: performance.now() };
  let done: Extract<FuzzChildMessage, { type: 'done' }> | undefined;
  let hang: { index: number; what: string } | null = null;
  child.on('message', (m: FuzzChildMessage) => {
    if (m.type === 'at') current = { index: m.index, what: m.what, since: performance.now() };
    else if (m.type === 'bug') bugs.push({ index: m.index, what: m.what, error: m.error });
    else done = m;
  });
  // Start-up (tsx, the seed files) gets a generous allowance; after that each input gets perInputMs.
  const watchdog = setInterval(() => {
    const limit = current.index < 0 ? 30_000 : o.perInputMs;
    if (performance.now() - current.since > limit) {
      hang = { index: current.index, what: current.what };
      child.kill('SIGKILL');
    }
  }, 100);
  const request: FuzzRequest = { target: o.target, seed: o.seed, count: o.count, maxRssBytes: o.maxRssBytes ?? 1.5 * 2 ** 30 };
  child.send(request);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      if (!done && !hang) bugs.push({ index: current.index, what: current.what, error: `the fuzzing process died (${signal ?? `exit code ${code}`}): ${stderr}` });
      resolve({
        inputs: done ? done.accepted + done.refused + bugs.length : current.index + 1,
        accepted: done?.accepted ?? 0,
        refused: done?.refused ?? 0,
        bugs,
        hang,
        slowest: done?.slowest ?? { index: -1, ms: 0, what: '' },
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}
