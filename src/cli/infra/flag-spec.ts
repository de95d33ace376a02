/**
 * How a command declares its flags and positional arguments, as data, and the types
 * parseFlags derives from that declaration. Declare a spec with `defineSpec` so the
 * names, choices and defaults keep their literal types:
 *
 *   const spec = defineSpec({
 *     flags: [{ name: 'rho', type: 'number', default: 0.99, min: 0, max: 1, help: '…' }],
 *     positionals: [{ name: 'model', type: 'path', required: true, help: '…' }],
 *   });
 *   const { flags, args } = parseFlags(spec, argv); // flags.rho: number, args.model: string
 *
 * Kebab-case names become camelCase keys: `--val-every` is `flags.valEvery`.
 */

interface FlagBase {
  /** Long name without dashes, kebab-case: 'val-every'. */
  readonly name: string;
  readonly help: string;
  /** Optional one-letter alias: 'o' for -o. */
  readonly short?: string;
}

export interface NumberFlagSpec extends FlagBase {
  readonly type: 'number' | 'integer';
  readonly default?: number;
  /** Inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  readonly required?: boolean;
}

export interface TextFlagSpec extends FlagBase {
  /** 'path' is kept as typed (not resolved): the command knows what it is relative to. */
  readonly type: 'string' | 'path';
  readonly default?: string;
  readonly required?: boolean;
}

export interface BooleanFlagSpec extends FlagBase {
  readonly type: 'boolean';
  /** false when left out; a true default is turned off with --no-<name>. */
  readonly default?: boolean;
}

export interface EnumFlagSpec extends FlagBase {
  readonly type: 'enum';
  readonly choices: readonly string[];
  readonly default?: string;
  readonly required?: boolean;
}

export type FlagSpec = NumberFlagSpec | TextFlagSpec | BooleanFlagSpec | EnumFlagSpec;
export type FlagType = FlagSpec['type'];

export interface PositionalSpec {
  readonly name: string;
  readonly help: string;
  readonly type?: 'string' | 'path';
  readonly required?: boolean;
}

export interface CommandSpec {
  readonly flags: readonly FlagSpec[];
  readonly positionals?: readonly PositionalSpec[];
}

/** Identity at run time; at compile time it keeps the literal names and choices that Infer needs. */
export function defineSpec<const S extends CommandSpec>(spec: S): S {
  return spec;
}

export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

type ValueOf<F> = F extends { readonly type: 'number' | 'integer' }
  ? number
  : F extends { readonly type: 'boolean' }
    ? boolean
    : F extends { readonly type: 'enum'; readonly choices: readonly (infer C)[] }
      ? C
      : string;

/** Booleans always have a value; others only with a default or when required. */
type AlwaysSet<F> = F extends { readonly type: 'boolean' }
  ? true
  : F extends { readonly default: NonNullable<unknown> }
    ? true
    : F extends { readonly required: true }
      ? true
      : false;

type FlagValue<F> = AlwaysSet<F> extends true ? ValueOf<F> : ValueOf<F> | undefined;

export type InferFlags<S extends CommandSpec> = {
  -readonly [F in S['flags'][number] as CamelCase<F['name']>]: FlagValue<F>;
};

type PositionalValue<P> = P extends { readonly required: true } ? string : string | undefined;

export type InferArgs<S extends CommandSpec> = S extends { readonly positionals: readonly (infer P extends PositionalSpec)[] }
  ? { -readonly [Q in P as CamelCase<Q['name']>]: PositionalValue<Q> }
  : Record<string, never>;

export interface Parsed<S extends CommandSpec> {
  readonly flags: InferFlags<S>;
  readonly args: InferArgs<S>;
}
