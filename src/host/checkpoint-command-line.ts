/**
 * The command line of python/convert_to_onnx.py for one conversion: the argv the extension spawns (no shell), and
 * the same command as text to paste into a terminal when the extension finds no Python with torch ("Copy Export
 * Command"). Also what the form's prompts accept (input shape, model class, constructor arguments), checked here
 * with the rules the script applies, so a typo is named in the input box instead of after torch has loaded.
 */
import * as path from 'node:path';
import { pathsFor, relativeInside } from './platform-paths';

export const CONVERT_SCRIPT = path.join('python', 'convert_to_onnx.py');
export const DEFAULT_OPSET = 17;

export interface ConvertOptions {
  readonly checkpoint: string;
  /** The .onnx to write (never an existing file: see freeOutputPath). */
  readonly output: string;
  /** One sample's shape as typed ('3,32,32'), or a full shape with the batch axis written as N. */
  readonly inputShape: string;
  /** `package.module:Class` for a state_dict; null lets the script say whether it needs one. */
  readonly modelClass: string | null;
  /** The class's constructor arguments as JSON text ('' for none). */
  readonly constructorArgs: string;
  readonly opset: number;
  /** Folders the class is imported from (the workspace folder). */
  readonly searchPaths: readonly string[];
  /** The user confirmed loading a pickled whole model (torch.load runs code stored in the file). */
  readonly allowPickle: boolean;
}

/** How to start a Python: its command and the arguments before the script (`py -3` on Windows). */
export interface Interpreter {
  readonly command: string;
  readonly args: readonly string[];
  /** Where it came from, for messages ("python3 on PATH", "the Python extension's interpreter"). */
  readonly label: string;
}

/** The script's arguments, after the interpreter's own. */
export function scriptArgs(scriptPath: string, o: ConvertOptions): string[] {
  return [
    scriptPath,
    o.checkpoint,
    '--input-shape',
    o.inputShape,
    '--output',
    o.output,
    ...(o.modelClass ? ['--class', o.modelClass, ...(o.constructorArgs.trim() ? ['--args', o.constructorArgs] : [])] : []),
    '--opset',
    String(o.opset),
    ...o.searchPaths.flatMap((p) => ['--search-path', p]),
    ...(o.allowPickle ? ['--allow-pickle'] : []),
  ];
}

/** `<stem>.onnx` next to the checkpoint, or `<stem>-1.onnx`, `<stem>-2.onnx`, … when taken: nothing is overwritten. */
export function freeOutputPath(checkpoint: string, exists: (file: string) => boolean, paths: path.PlatformPath = path): string {
  const { dir, name } = paths.parse(checkpoint);
  for (let n = 0; ; n++) {
    const candidate = paths.join(dir, n === 0 ? `${name}.onnx` : `${name}-${n}.onnx`);
    if (!exists(candidate)) return candidate;
  }
}

/** Where the script writes the model before moving it into place (convert_to_onnx.py's partial_path). */
export function partialPath(output: string): string {
  return `${output}.partial`;
}

/** The command as one line for a POSIX shell, or for Windows' Command Prompt (its programs' argv quoting). */
export function commandLineText(interpreter: Interpreter, argv: readonly string[], platform: NodeJS.Platform = process.platform): string {
  const quote = platform === 'win32' ? quoteWindows : quotePosix;
  return [interpreter.command, ...interpreter.args, ...argv].map(quote).join(' ');
}

function quotePosix(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quoted as the Microsoft C runtime splits a command line: `"` → `\"`, backslashes before a quote doubled. */
function quoteWindows(arg: string): string {
  if (/^[\w@+=:,./\\-]+$/.test(arg)) return arg;
  const escaped = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1');
  return `"${escaped}"`;
}

// ---- what the prompts accept (python/convert_to_onnx.py applies the same rules) ----

const BATCH_MARKERS = new Set(['n', 'b', 'batch', '?', '-1']);

/** One sample's dims, or why the text is not a shape. */
export function parseInputShape(text: string): { ok: true; dims: number[] } | { ok: false; message: string } {
  const tokens = text
    .trim()
    .replace(/^[[(]+|[\])]+$/g, '')
    .toLowerCase()
    .split(/[\s,x×]+/)
    .filter((t) => t !== '');
  const dims = tokens.length > 0 && BATCH_MARKERS.has(tokens[0]) ? tokens.slice(1) : tokens;
  if (dims.length === 0 || !dims.every((t) => /^\d+$/.test(t) && Number(t) > 0)) {
    return { ok: false, message: `'${text}' is not a list of positive sizes: write one sample's shape like 3,32,32 (channels, height, width), or N,3,32,32 with the batch axis as N` };
  }
  return { ok: true, dims: dims.map(Number) };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** null when `spec` names a class as `package.module:Class` (or `package.module.Class`), else what is wrong. */
export function classSpecProblem(spec: string): string | null {
  const s = spec.trim();
  const colon = s.indexOf(':');
  const [module, attr] = colon >= 0 ? [s.slice(0, colon), s.slice(colon + 1)] : [s.slice(0, Math.max(0, s.lastIndexOf('.'))), s.slice(s.lastIndexOf('.') + 1)];
  const ok = module !== '' && attr !== '' && module.split('.').every((p) => IDENTIFIER.test(p)) && attr.split('.').every((p) => IDENTIFIER.test(p));
  return ok ? null : `'${spec}' is not package.module:Class (for example models.resnet:ResNet)`;
}

/** null when `text` is empty or a JSON list (positional) or object (keyword arguments), else what is wrong. */
export function constructorArgsProblem(text: string): string | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not valid JSON (${(e as Error).message}): write a list like [10] or an object like {"num_classes": 10}`;
  }
  return typeof value === 'object' && value !== null ? null : 'write a JSON list (positional arguments) or object (keyword arguments)';
}

/** The folders a workspace's checkpoint imports its class from: its (innermost) workspace folder, else its own folder. */
export function searchPathsFor(checkpoint: string, workspaceFolders: readonly string[], platform: NodeJS.Platform = process.platform): string[] {
  const paths = pathsFor(platform);
  const holding = workspaceFolders.filter((f) => relativeInside(f, checkpoint, paths) !== null).sort((a, b) => b.length - a.length);
  return [holding[0] ?? paths.dirname(checkpoint)];
}
