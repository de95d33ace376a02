/**
 * Runs python/convert_to_onnx.py: one Python at a time, in order, until one has torch (a Python that is missing
 * or has no torch is noted and the next is tried). Every way a run ends becomes one outcome; a cancel kills the
 * process and removes the half-written model.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ConvertOptions, Interpreter, partialPath, scriptArgs } from './checkpoint-command-line';
import { parseScriptOutput, ScriptResult, Tried } from './checkpoint-result';

export type ScriptOutcome =
  | { readonly kind: 'result'; readonly result: ScriptResult }
  /** No such command (or Windows' "Python was not found" placeholder that opens the Store). */
  | { readonly kind: 'not-found' }
  | { readonly kind: 'crashed'; readonly message: string; readonly stderr: readonly string[] }
  | { readonly kind: 'cancelled' };

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** Every line the script writes to stderr (torch's warnings, the user's prints, a traceback). */
  readonly onLog?: (line: string) => void;
}

const STDERR_LINES = 20;
/** cmd.exe's "not recognized as a command" exit code, and the Microsoft Store placeholder's. */
const WINDOWS_NOT_FOUND = 9009;

export function runScript(interpreter: Interpreter, argv: readonly string[], o: RunOptions = {}): Promise<ScriptOutcome> {
  return new Promise((resolve) => {
    if (o.signal?.aborted) return resolve({ kind: 'cancelled' });
    const stderr: string[] = [];
    let stdout = '';
    let partial = '';
    let settled = false;
    const settle = (outcome: ScriptOutcome): void => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    // Without .pyc files the user's modules imported for --class leave no __pycache__ in the workspace.
    const child = spawn(interpreter.command, [...interpreter.args, ...argv], {
      cwd: o.cwd,
      env: { ...(o.env ?? process.env), PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    o.signal?.addEventListener('abort', onAbort);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) keep(line);
    });
    const keep = (line: string): void => {
      if (line.trim() === '') return;
      stderr.push(line);
      if (stderr.length > STDERR_LINES) stderr.shift();
      o.onLog?.(line);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      settle(e.code === 'ENOENT' ? { kind: 'not-found' } : { kind: 'crashed', message: `could not start ${interpreter.command} (${e.message})`, stderr });
    });
    child.on('close', (code, signal) => {
      keep(partial);
      if (o.signal?.aborted) return settle({ kind: 'cancelled' });
      const parsed = parseScriptOutput(stdout);
      if (parsed.ok) return settle({ kind: 'result', result: parsed.result });
      if (code === WINDOWS_NOT_FOUND || stderr.some((l) => /Python was not found/i.test(l))) return settle({ kind: 'not-found' });
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      settle({ kind: 'crashed', message: `the conversion script ${how} without a result (${parsed.problem})`, stderr });
    });
  });
}

export type ConvertAttempt =
  | { readonly kind: 'result'; readonly interpreter: Interpreter; readonly result: ScriptResult }
  /** No Python could run it; each one tried and why. */
  | { readonly kind: 'no-python'; readonly tried: readonly Tried[] }
  | { readonly kind: 'crashed'; readonly interpreter: Interpreter; readonly message: string; readonly stderr: readonly string[] }
  | { readonly kind: 'cancelled' };

/** The script with the first of `interpreters` that has torch; a cancel removes the half-written model. */
export async function convertWithFirstTorch(interpreters: readonly Interpreter[], scriptPath: string, options: ConvertOptions, o: RunOptions = {}): Promise<ConvertAttempt> {
  const tried: Tried[] = [];
  const argv = scriptArgs(scriptPath, options);
  for (const interpreter of interpreters) {
    const outcome = await runScript(interpreter, argv, o);
    if (outcome.kind === 'cancelled') {
      fs.rmSync(partialPath(options.output), { force: true });
      return outcome;
    }
    if (outcome.kind === 'not-found') tried.push({ interpreter, problem: 'not found' });
    else if (outcome.kind === 'crashed') return { ...outcome, interpreter };
    else if (!outcome.result.ok && (outcome.result.kind === 'no-torch' || outcome.result.kind === 'old-python')) {
      tried.push({ interpreter, problem: outcome.result.kind === 'no-torch' ? `no torch (Python ${outcome.result.python})` : outcome.result.message });
    } else return { kind: 'result', interpreter, result: outcome.result };
  }
  return { kind: 'no-python', tried };
}
