/**
 * Which Pythons a conversion tries, in order: the Python extension's selected interpreter for the checkpoint's
 * workspace, then `python3` and `python` on PATH (on Windows the `py -3` launcher first, since `python3` there is
 * often the Microsoft Store's placeholder). The extension itself never needs Python; only this command does.
 */
import type { Interpreter } from './checkpoint-command-line';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

export function interpreterCandidates(selected: readonly string[] | undefined, platform: NodeJS.Platform = process.platform): Interpreter[] {
  const onPath: Interpreter[] =
    platform === 'win32'
      ? [
          { command: 'py', args: ['-3'], label: 'the py -3 launcher' },
          { command: 'python', args: [], label: 'python on PATH' },
          { command: 'python3', args: [], label: 'python3 on PATH' },
        ]
      : [
          { command: 'python3', args: [], label: 'python3 on PATH' },
          { command: 'python', args: [], label: 'python on PATH' },
        ];
  const fromExtension: Interpreter[] = selected && selected.length > 0 ? [{ command: selected[0], args: selected.slice(1), label: "the Python extension's interpreter" }] : [];
  const seen = new Set<string>();
  return [...fromExtension, ...onPath].filter((i) => {
    const key = [i.command, ...i.args].join('\0');
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * The selected interpreter's command from the Python extension's API object (`extension.exports`): the
 * environments API's active environment path, else the older `settings.getExecutionDetails().execCommand`
 * (which may be several words, e.g. `conda run -n env python`). undefined when neither gives one.
 */
export async function selectedInterpreter(api: unknown, resource: unknown): Promise<string[] | undefined> {
  const environments = field(api, 'environments');
  const getActive = field(environments, 'getActiveEnvironmentPath');
  if (typeof getActive === 'function') {
    const active: unknown = await (getActive as (r: unknown) => unknown).call(environments, resource);
    const p = field(active, 'path');
    if (typeof p === 'string' && p !== '') return [p];
  }
  const settings = field(api, 'settings');
  const getDetails = field(settings, 'getExecutionDetails');
  if (typeof getDetails === 'function') {
    const command = field((getDetails as (r: unknown) => unknown).call(settings, resource), 'execCommand');
    if (Array.isArray(command) && command.length > 0 && command.every((c) => typeof c === 'string' && c !== '')) return command as string[];
  }
  return undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
