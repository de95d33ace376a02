/**
 * runCommand: the shell around every `bise` subcommand. Parses argv against the
 * command's spec, answers --help, wires Ctrl-C to an AbortSignal (a second Ctrl-C quits
 * at once), and turns the outcome into output and an exit status:
 *   0 done · 1 error · 2 usage error · 130 cancelled.
 */
import { describeFailure } from './failure';
import type { CommandSpec } from './flag-spec';
import { parseFlags } from './flags';
import { renderHelp } from './help';
import type { CommandContext, CommandDefinition } from './command';
import { withGlobalFlags } from './command';
import type { OutputStream } from './output-stream';
import { createReporter } from './reporter';

export interface RunIo {
  /** The program name shown in help and hints (default 'bise'). */
  readonly program?: string;
  readonly stdout?: OutputStream;
  readonly stderr?: OutputStream;
  readonly env?: NodeJS.ProcessEnv;
  /** Default process.exit, after stdout and stderr have drained; tests pass a recorder. */
  readonly exit?: (code: number) => void;
}

export const STOPPING_MESSAGE = 'stopping after the current step… press Ctrl-C again to quit now';

/**
 * @param argv the arguments after the subcommand name (`bise train a b` → ['a', 'b']).
 * @returns the exit status (also passed to `exit`).
 */
export async function runCommand<const S extends CommandSpec>(
  command: CommandDefinition<S>,
  argv: readonly string[],
  main: (ctx: CommandContext<S>) => Promise<unknown>,
  io: RunIo = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const exit = io.exit ?? ((code: number) => void drain([stdout, stderr]).then(() => process.exit(code)));
  const invocation = `${io.program ?? 'bise'} ${command.name}`;
  const spec = withGlobalFlags(command.spec);
  const flagArgs = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);

  // Help wins over everything else on the line, even flags that would not parse.
  if (flagArgs.some((t) => t === '--help' || t === '-h')) {
    stdout.write(renderHelp(invocation, command.summary, spec));
    exit(0);
    return 0;
  }

  // Known before parsing, so even a usage error comes out as a JSON line.
  const json = flagArgs.some((t) => /^--json(=(true|1|yes|on))?$/i.test(t));
  const reporter = createReporter({ json, stdout, stderr, command: invocation, debug: (io.env ?? process.env).BISE_DEBUG === '1' });
  const controller = new AbortController();

  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort();
      reporter.notice(STOPPING_MESSAGE);
    } else {
      reporter.notice('quitting now');
      reporter.close();
      exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);

  let code: number;
  try {
    const { flags, args } = parseFlags(spec as S, argv);
    const value = await main({ flags, args, json, signal: controller.signal, reporter, onEvent: reporter.onEvent });
    reporter.result(value);
    reporter.close();
    code = 0;
  } catch (err) {
    reporter.error(err);
    reporter.close();
    code = describeFailure(err).exitCode;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  exit(code);
  return code;
}

/**
 * process.exit drops output still queued for a pipe (writes are async on macOS); wait for
 * it first, but not forever: a reader that went away never drains.
 */
async function drain(streams: readonly OutputStream[]): Promise<void> {
  const drained = streams.map(
    (s) =>
      new Promise<void>((resolve) => {
        const w = s as Partial<NodeJS.WriteStream>;
        if (!w.writableNeedDrain || !w.once) resolve();
        else w.once('drain', () => resolve());
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
  await Promise.race([Promise.all(drained), giveUp]);
  clearTimeout(timer);
}
