/**
 * What python/convert_to_onnx.py answers (one JSON line on stdout), validated, and what the command does next:
 * open the form on the new model, ask for the model class, ask before loading a pickle, or show an error that
 * says what is missing (a Python without torch never gets here: checkpoint-run.ts tries the next one).
 */
import * as path from 'node:path';
import { array, Decoder, decodeProblem, integer, nullable, object, oneOf, positiveInteger, primitive, string } from '../protocol/decoders';
import type { ConvertOptions, Interpreter } from './checkpoint-command-line';

export const FAILURE_KINDS = [
  'bad-arguments',
  'not-found',
  'output-exists',
  'no-torch',
  'old-python',
  'not-a-checkpoint',
  'torch-export-unsupported',
  'needs-pickle',
  'needs-class',
  'class-not-found',
  'constructor-failed',
  'key-mismatch',
  'forward-failed',
  'export-failed',
  'unexpected',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface Converted {
  readonly ok: true;
  readonly output: string;
  readonly source: 'torchscript' | 'torch-export' | 'module' | 'state-dict';
  /** The checkpoint dict's key the model or state_dict was under (null: the file is the model / state_dict). */
  readonly key: string | null;
  /** The traced input's shape (batch first; exported with the batch axis dynamic). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly opset: number;
  readonly torch: string;
  readonly python: string;
  readonly notes: readonly string[];
}

export interface ConvertFailure {
  readonly ok: false;
  readonly kind: FailureKind;
  readonly message: string;
  readonly python: string;
  readonly torch: string | null;
}

export type ScriptResult = Converted | ConvertFailure;

const convertedDecoder: Decoder<Converted> = object<Converted>({
  ok: primitive('true', (v): v is true => v === true),
  output: string,
  source: oneOf('torchscript', 'torch-export', 'module', 'state-dict'),
  key: nullable(string),
  inputShape: array(positiveInteger),
  outputShape: array(integer),
  opset: positiveInteger,
  torch: string,
  python: string,
  notes: array(string),
});

const failureDecoder: Decoder<ConvertFailure> = object<ConvertFailure>({
  ok: primitive('false', (v): v is false => v === false),
  kind: oneOf(...FAILURE_KINDS),
  message: string,
  python: string,
  torch: nullable(string),
});

/** The result in the script's stdout (its last non-empty line), or why there is none. */
export function parseScriptOutput(stdout: string): { ok: true; result: ScriptResult } | { ok: false; problem: string } {
  const last = stdout.split(/\r?\n/).filter((l) => l.trim() !== '').pop();
  if (last === undefined) return { ok: false, problem: 'it printed no result' };
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    return { ok: false, problem: `its last line is not a JSON result: ${last.slice(0, 200)}` };
  }
  const isSuccess = typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === true;
  const r = decodeProblem<ScriptResult>(isSuccess ? convertedDecoder : failureDecoder, value);
  return r.ok ? { ok: true, result: r.value } : { ok: false, problem: `its result does not decode: ${r.problem}` };
}

export type NextStep =
  | { readonly kind: 'open'; readonly converted: Converted }
  /** A state_dict: the model class and its constructor arguments are needed. */
  | { readonly kind: 'ask-class'; readonly message: string }
  /** A pickled whole model: loading it runs code from the file, so the user confirms first. */
  | { readonly kind: 'confirm-pickle'; readonly message: string }
  /** `classProblem`: the named class did not fit, so offer to change it. */
  | { readonly kind: 'fail'; readonly message: string; readonly classProblem: boolean };

export function nextStep(result: ScriptResult, o: ConvertOptions): NextStep {
  if (result.ok) return { kind: 'open', converted: result };
  switch (result.kind) {
    case 'needs-class':
      return o.modelClass ? { kind: 'fail', message: result.message, classProblem: true } : { kind: 'ask-class', message: result.message };
    case 'needs-pickle':
      return o.allowPickle ? { kind: 'fail', message: result.message, classProblem: false } : { kind: 'confirm-pickle', message: result.message };
    case 'class-not-found':
    case 'constructor-failed':
    case 'key-mismatch':
      return { kind: 'fail', message: result.message, classProblem: true };
    default:
      return { kind: 'fail', message: result.message, classProblem: false };
  }
}

const shape = (dims: readonly number[]): string => `[N, ${dims.slice(1).join(', ')}]`;

/** One line for the notification and the log after a conversion. */
export function convertedMessage(checkpoint: string, c: Converted, modelClass: string | null): string {
  const what = { torchscript: 'TorchScript', 'torch-export': 'torch.export program', module: 'pickled model', 'state-dict': 'state_dict' }[c.source];
  const key = c.key === null ? '' : ` under '${c.key}'`;
  const into = c.source === 'state-dict' && modelClass ? `, loaded into ${modelClass}` : '';
  const notes = c.notes.length > 0 ? `; ${c.notes.join('; ')}` : '';
  return `converted ${path.basename(checkpoint)} (${what}${key}${into}) to ${path.basename(c.output)}: input ${shape(c.inputShape)} → logits ${shape(c.outputShape)}, opset ${c.opset}, torch ${c.torch}${notes}`;
}

/** Each Python tried and why it could not convert. */
export interface Tried {
  readonly interpreter: Interpreter;
  readonly problem: string;
}

/** The error when no Python could run the conversion: every Python tried, what each lacks, and what to do. */
export function noPythonMessage(checkpoint: string, tried: readonly Tried[]): string {
  const list = tried.map((t) => `${t.interpreter.label} (${[t.interpreter.command, ...t.interpreter.args].join(' ')}): ${t.problem}`).join('; ');
  return (
    `no Python with torch to convert ${path.basename(checkpoint)}: ${list}. ` +
    'Install torch in the selected interpreter (pip install torch) or pick one that has it (Python: Select Interpreter), ' +
    'or run the export yourself in a terminal whose Python has torch (Copy Export Command)'
  );
}
