/** What a `bise` subcommand declares about itself, and the context its main function receives. */
import type { EventSink } from '../../core/bise/events';
import type { CommandSpec, FlagSpec, InferArgs, InferFlags } from './flag-spec';
import type { Reporter } from './reporter';

export interface CommandDefinition<S extends CommandSpec> {
  /** The subcommand as typed: 'train'. */
  readonly name: string;
  /** One line for --help: what the command does. */
  readonly summary: string;
  readonly spec: S;
}

/** Identity at run time; keeps the spec's literal types so ctx.flags is typed. */
export function defineCommand<const S extends CommandSpec>(command: CommandDefinition<S>): CommandDefinition<S> {
  return command;
}

/**
 * Shaped like core's JobContext (onEvent + signal), so a command can hand `ctx` to a job as is.
 */
export interface CommandContext<S extends CommandSpec> {
  readonly flags: InferFlags<S>;
  readonly args: InferArgs<S>;
  /** --json was given: stdout is reserved for JSON lines, so print through the reporter. */
  readonly json: boolean;
  /** Aborted by the first Ctrl-C; jobs check it between steps and throw CancelledError. */
  readonly signal: AbortSignal;
  readonly reporter: Reporter;
  readonly onEvent: EventSink;
}

/** Flags every command accepts; runCommand handles them itself. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', help: 'machine-readable output: one JSON object per line on stdout (events, then the result or an error)' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help and exit' },
];

export function withGlobalFlags(spec: CommandSpec): CommandSpec {
  const own = new Set(spec.flags.map((f) => f.name));
  return { ...spec, flags: [...spec.flags, ...GLOBAL_FLAGS.filter((f) => !own.has(f.name))] };
}
