/**
 * bise.convertCheckpoint ("Convert to ONNX for BISE"): a PyTorch checkpoint (.pt, .pth, .pt2) → `<stem>.onnx` next
 * to it, written by python/convert_to_onnx.py with the workspace's Python, then the set-up form on the new model
 * (the same command as right-clicking an .onnx). The VS Code side only: prompts, progress, notifications. The
 * decisions are in checkpoint-command-line.ts, checkpoint-interpreter.ts and checkpoint-result.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { saveConvertChoice, loadConvertChoice } from './checkpoint-choice';
import {
  classSpecProblem,
  commandLineText,
  constructorArgsProblem,
  ConvertOptions,
  DEFAULT_OPSET,
  freeOutputPath,
  Interpreter,
  parseInputShape,
  scriptArgs,
  searchPathsFor,
} from './checkpoint-command-line';
import { interpreterCandidates, PYTHON_EXTENSION_ID, selectedInterpreter } from './checkpoint-interpreter';
import { convertedMessage, noPythonMessage, nextStep } from './checkpoint-result';
import { convertWithFirstTorch, ConvertAttempt } from './checkpoint-run';

export interface ConvertHost {
  /** python/convert_to_onnx.py inside the installed extension. */
  readonly scriptPath: string;
  log(line: string): void;
  showLog(): void;
}

const CHECKPOINT_EXTENSIONS = ['pt', 'pth', 'pt2'];
const COPY = 'Copy Export Command';
const CHANGE_CLASS = 'Change Class…';
const SHOW_LOG = 'Show Log';
const LOAD_PICKLE = 'Load It';
/** The Python extension activating can take seconds; past this, convert with the Python on PATH. */
const PYTHON_API_TIMEOUT_MS = 15_000;

/** Checkpoints being converted (one conversion per checkpoint at a time). */
const converting = new Set<string>();

export async function convertCheckpoint(host: ConvertHost, uri?: vscode.Uri): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const c = await vscode.window.showWarningMessage(
      "BISE: converting a checkpoint runs the workspace's Python and can import its code, so it is disabled in Restricted Mode. Trust this workspace to use it.",
      'Manage Workspace Trust',
    );
    if (c) void vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const target = uri ?? activeCheckpoint() ?? (await pickCheckpoint());
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage(`BISE reads checkpoints from the local file system; '${target.toString()}' is not a local file.`);
    return;
  }
  const key = path.resolve(target.fsPath);
  if (converting.has(key)) {
    void vscode.window.showInformationMessage(`BISE: ${path.basename(key)} is already being converted.`);
    return;
  }
  converting.add(key);
  try {
    await convert(host, target);
  } finally {
    converting.delete(key);
  }
}

async function convert(host: ConvertHost, target: vscode.Uri): Promise<void> {
  const checkpoint = target.fsPath;
  const name = path.basename(checkpoint);
  const saved = loadConvertChoice(checkpoint);
  if (saved.kind === 'invalid') host.log(`ignored ${saved.file}: ${saved.problem}`);
  const prior = saved.kind === 'loaded' ? saved.choice : null;
  const inputShape = await vscode.window.showInputBox({
    title: `BISE: convert ${name} to ONNX`,
    prompt: "The model's input: one sample's shape, e.g. 3,32,32 (channels, height, width). The batch axis is added and left dynamic.",
    placeHolder: '3,32,32',
    value: prior?.inputShape ?? '',
    ignoreFocusOut: true,
    validateInput: (text) => {
      const parsed = parseInputShape(text);
      return parsed.ok ? null : parsed.message;
    },
  });
  if (inputShape === undefined) return;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const searchPaths = searchPathsFor(checkpoint, folders);
  const interpreters = interpreterCandidates(await pythonExtensionInterpreter(target, host));
  let options: ConvertOptions = {
    checkpoint,
    output: freeOutputPath(checkpoint, fs.existsSync),
    inputShape,
    modelClass: prior?.modelClass ?? null,
    constructorArgs: prior?.constructorArgs ?? '',
    opset: prior?.opset ?? DEFAULT_OPSET,
    searchPaths,
    allowPickle: false,
  };
  for (;;) {
    options = { ...options, output: freeOutputPath(checkpoint, fs.existsSync) };
    const attempt = await runWithProgress(host, interpreters, options);
    if (attempt.kind === 'cancelled') return host.log(`conversion of ${name} cancelled; nothing was written`);
    if (attempt.kind === 'no-python') {
      await showFailure(host, noPythonMessage(checkpoint, attempt.tried), exportCommand(host, interpreters[0], options), false);
      return;
    }
    if (attempt.kind === 'crashed') {
      const tail = attempt.stderr.slice(-3).join(' | ');
      await showFailure(host, `${attempt.message}${tail ? ` — last lines: ${tail}` : ''}`, exportCommand(host, attempt.interpreter, options), false);
      return;
    }
    const step = nextStep(attempt.result, options);
    if (step.kind === 'open') {
      const message = convertedMessage(checkpoint, step.converted, options.modelClass);
      host.log(`${message} (with ${step.converted.python})`);
      rememberChoice(host, checkpoint, options);
      void vscode.window.showInformationMessage(`BISE: ${message}`);
      await vscode.commands.executeCommand('bise.extractSubnetwork', vscode.Uri.file(step.converted.output));
      return;
    }
    if (step.kind === 'confirm-pickle') {
      const ok = await vscode.window.showWarningMessage(
        `BISE: ${step.message}`,
        { modal: true, detail: 'torch.load(weights_only=False) unpickles the file, which can run any code stored in it. A state_dict (torch.save(model.state_dict(), …)) or TorchScript file needs no such trust.' },
        LOAD_PICKLE,
      );
      if (ok !== LOAD_PICKLE) return;
      options = { ...options, allowPickle: true };
      continue;
    }
    if (step.kind === 'fail') {
      const action = await showFailure(host, step.message, exportCommand(host, attempt.interpreter, options), step.classProblem);
      if (action !== CHANGE_CLASS) return;
    }
    const changed = await askClass(checkpoint, options, step.message);
    if (!changed) return;
    options = { ...options, ...changed };
  }
}

function runWithProgress(host: ConvertHost, interpreters: readonly Interpreter[], options: ConvertOptions): Thenable<ConvertAttempt> {
  const name = path.basename(options.checkpoint);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BISE: converting ${name} to ONNX`, cancellable: true }, (_progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const tried = interpreters.map((i) => [i.command, ...i.args].join(' ')).join(', ');
    host.log(`converting ${name} with the first of these Pythons that has torch: ${tried}; arguments ${scriptArgs(host.scriptPath, options).slice(1).join(' ')}`);
    return convertWithFirstTorch(interpreters, host.scriptPath, options, { cwd: options.searchPaths[0], signal: abort.signal, onLog: (line) => host.log(`[convert] ${line}`) });
  });
}

/** The class and its constructor arguments for a state_dict; undefined when the user cancels. */
async function askClass(checkpoint: string, o: ConvertOptions, why: string): Promise<Pick<ConvertOptions, 'modelClass' | 'constructorArgs'> | undefined> {
  const modelClass = await vscode.window.showInputBox({
    title: `BISE: the model class for ${path.basename(checkpoint)}`,
    prompt: `${why}. The class is imported from the workspace folder (${o.searchPaths.join(', ')}) or the Python's packages.`,
    placeHolder: 'package.module:Class, e.g. models.resnet:ResNet18',
    value: o.modelClass ?? '',
    ignoreFocusOut: true,
    validateInput: (text) => classSpecProblem(text),
  });
  if (modelClass === undefined) return undefined;
  const constructorArgs = await vscode.window.showInputBox({
    title: `BISE: constructor arguments of ${modelClass.trim()}`,
    prompt: 'As JSON: a list of positional arguments like [10], or an object of keyword arguments like {"num_classes": 10}. Empty for none.',
    value: o.constructorArgs,
    ignoreFocusOut: true,
    validateInput: (text) => constructorArgsProblem(text),
  });
  if (constructorArgs === undefined) return undefined;
  return { modelClass: modelClass.trim(), constructorArgs: constructorArgs.trim() };
}

/** An error that says what is missing, with the command to run by hand; resolves to the action picked. */
async function showFailure(host: ConvertHost, message: string, command: string, classProblem: boolean): Promise<string | undefined> {
  host.log(`conversion failed: ${message}`);
  const actions = [...(classProblem ? [CHANGE_CLASS] : []), COPY, SHOW_LOG];
  const picked = await vscode.window.showErrorMessage(`BISE could not convert: ${message}`, ...actions);
  if (picked === COPY) {
    await vscode.env.clipboard.writeText(command);
    void vscode.window.showInformationMessage('BISE: the export command is on the clipboard; run it in a terminal whose Python has torch.');
  } else if (picked === SHOW_LOG) host.showLog();
  return picked;
}

function exportCommand(host: ConvertHost, interpreter: Interpreter, o: ConvertOptions): string {
  const text = commandLineText(interpreter, scriptArgs(host.scriptPath, o));
  host.log(`the export command to run by hand: ${text}`);
  return text;
}

function rememberChoice(host: ConvertHost, checkpoint: string, o: ConvertOptions): void {
  if (!vscode.workspace.getConfiguration('bise', vscode.Uri.file(checkpoint)).get<boolean>('saveFormChoice', true)) return;
  try {
    const file = saveConvertChoice(checkpoint, { inputShape: o.inputShape, modelClass: o.modelClass, constructorArgs: o.constructorArgs, opset: o.opset });
    host.log(`saved the conversion choice to ${file}`);
  } catch (e) {
    host.log(`could not save the conversion choice next to the checkpoint: ${(e as Error).message}`);
  }
}

/** The Python extension's interpreter for the checkpoint's workspace, when that extension is installed. */
async function pythonExtensionInterpreter(resource: vscode.Uri, host: ConvertHost): Promise<string[] | undefined> {
  const extension = vscode.extensions.getExtension(PYTHON_EXTENSION_ID);
  if (!extension) return undefined;
  try {
    const api: unknown = extension.isActive ? extension.exports : await withTimeout(Promise.resolve(extension.activate()), PYTHON_API_TIMEOUT_MS);
    const command = await selectedInterpreter(api, resource);
    host.log(command ? `the Python extension's interpreter: ${command.join(' ')}` : 'the Python extension names no interpreter; trying python on PATH');
    return command;
  } catch (e) {
    host.log(`could not ask the Python extension for its interpreter (${(e as Error).message}); trying python on PATH`);
    return undefined;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function activeCheckpoint(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  const ext = uri ? path.extname(uri.path).slice(1).toLowerCase() : '';
  return uri && CHECKPOINT_EXTENSIONS.includes(ext) ? uri : undefined;
}

async function pickCheckpoint(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'PyTorch checkpoints': CHECKPOINT_EXTENSIONS }, openLabel: 'Convert to ONNX for BISE' });
  return picked?.[0];
}
