/**
 * parseFlags: argv → typed { flags, args } for a declared CommandSpec, or a UsageError
 * whose message says what to change. Accepts `--flag value`, `--flag=value`, `-f value`,
 * booleans as `--flag` / `--no-flag` / `--flag=false`, and `--` to end the flags.
 */
import { closestMatch } from './edit-distance';
import { camelCase, type CommandSpec, type FlagSpec, type Parsed } from './flag-spec';
import { describeRange, metavar } from './flag-wording';
import { UsageError } from './usage-error';

export * from './flag-spec';
export { renderHelp } from './help';
export { UsageError } from './usage-error';

export function parseFlags<const S extends CommandSpec>(spec: S, argv: readonly string[]): Parsed<S> {
  const given = new Map<FlagSpec, unknown>();
  const positionals: string[] = [];
  let flagsEnded = false;

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (flagsEnded || token === '-' || !token.startsWith('-') || looksNumeric(token)) {
      positionals.push(token);
    } else if (token === '--') {
      flagsEnded = true;
    } else {
      const { flag, value, consumedNext } = readFlag(spec, token, argv[i + 1]);
      given.set(flag, value);
      if (consumedNext) i++;
    }
  }

  return { flags: collectFlags(spec, given), args: collectPositionals(spec, positionals) } as Parsed<S>;
}

interface FlagReading {
  readonly flag: FlagSpec;
  readonly value: unknown;
  readonly consumedNext: boolean;
}

function readFlag(spec: CommandSpec, token: string, next: string | undefined): FlagReading {
  const long = token.startsWith('--');
  const body = token.slice(long ? 2 : 1);
  const eq = body.indexOf('=');
  const name = eq < 0 ? body : body.slice(0, eq);
  const inline = eq < 0 ? undefined : body.slice(eq + 1);
  const display = long ? `--${name}` : `-${name}`;

  const negated = long && name.startsWith('no-') ? spec.flags.find((f) => f.type === 'boolean' && f.name === name.slice(3)) : undefined;
  if (negated) {
    if (inline !== undefined) throw new UsageError(`${display} takes no value; use --${negated.name}=${inline} instead`);
    return { flag: negated, value: false, consumedNext: false };
  }

  const flag = long ? spec.flags.find((f) => f.name === name) : spec.flags.find((f) => f.short === name);
  if (!flag) throw unknownFlag(spec, display);

  if (flag.type === 'boolean') {
    return { flag, value: inline === undefined ? true : parseBoolean(display, inline), consumedNext: false };
  }
  if (inline !== undefined) return { flag, value: convert(flag, display, inline), consumedNext: false };
  if (next === undefined || (next.startsWith('-') && next !== '-' && !looksNumeric(next))) {
    const hint = next === undefined ? '' : ` (to pass a value that starts with '-', write ${display}=${next})`;
    throw new UsageError(`${display} needs a value: ${display} <${metavar(flag)}>${hint}`);
  }
  return { flag, value: convert(flag, display, next), consumedNext: true };
}

function unknownFlag(spec: CommandSpec, display: string): UsageError {
  const known = spec.flags.flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : []), ...(f.type === 'boolean' ? [`--no-${f.name}`] : [])]);
  const suggestion = closestMatch(display, known);
  return new UsageError(`unknown flag ${display}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
}

function convert(flag: FlagSpec, display: string, raw: string): unknown {
  switch (flag.type) {
    case 'number':
    case 'integer': {
      const isInteger = flag.type === 'integer';
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (isInteger && !/^[+-]?\d+$/.test(raw.trim()))) {
        throw new UsageError(`${display} expects ${isInteger ? 'a whole number' : 'a number'}, got '${raw}'`);
      }
      if ((flag.min !== undefined && n < flag.min) || (flag.max !== undefined && n > flag.max)) {
        throw new UsageError(`${display} must be ${describeRange(flag.min, flag.max)}, got ${raw}`);
      }
      return n;
    }
    case 'enum': {
      if (flag.choices.includes(raw)) return raw;
      const suggestion = closestMatch(raw, flag.choices);
      const choices = flag.choices.join(', ');
      throw new UsageError(`${display} must be one of ${choices}; got '${raw}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
    }
    case 'path':
      if (raw === '') throw new UsageError(`${display} needs a path, got an empty string`);
      return raw;
    case 'string':
      return raw;
    case 'boolean':
      return parseBoolean(display, raw);
  }
}

function parseBoolean(display: string, raw: string): boolean {
  const lower = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new UsageError(`${display} is on or off: write ${display} or --no-${display.replace(/^-+/, '')}, not ${display}=${raw}`);
}

function looksNumeric(token: string): boolean {
  return /^-(\d|\.\d)/.test(token) && Number.isFinite(Number(token));
}

function collectFlags(spec: CommandSpec, given: ReadonlyMap<FlagSpec, unknown>): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (const flag of spec.flags) {
    const value = given.has(flag) ? given.get(flag) : flag.type === 'boolean' ? (flag.default ?? false) : flag.default;
    if (value === undefined && flag.type !== 'boolean' && flag.required) {
      throw new UsageError(`missing required flag --${flag.name} <${metavar(flag)}> (${flag.help})`);
    }
    if (value !== undefined) flags[camelCase(flag.name)] = value;
  }
  return flags;
}

function collectPositionals(spec: CommandSpec, values: readonly string[]): Record<string, string> {
  const declared = spec.positionals ?? [];
  if (values.length > declared.length) {
    const extra = values[declared.length];
    const expected = declared.length === 0 ? 'this command takes no arguments' : `expected at most ${declared.length}: ${declared.map((p) => `<${p.name}>`).join(' ')}`;
    throw new UsageError(`unexpected argument '${extra}' (${expected})`);
  }
  const args: Record<string, string> = {};
  declared.forEach((p, i) => {
    const value = values[i];
    if (value === undefined) {
      if (p.required) throw new UsageError(`missing argument <${p.name}>: ${p.help}`);
      return;
    }
    if (p.type === 'path' && value === '') throw new UsageError(`<${p.name}> needs a path, got an empty string`);
    args[camelCase(p.name)] = value;
  });
  return args;
}
