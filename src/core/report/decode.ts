/**
 * Small validating decoders for JSON read from disk: each one checks a value's type and range and returns it
 * typed, or throws a ReportParseError that names the JSON path of the offending value (e.g.
 * `history[3].tau: expected a number > 0, found -1`), so that a hand-edited or truncated report is easy to fix.
 */

/** A JSON path kept as a linked list, formatted only when an error needs it (reports hold long arrays). */
export interface JsonPath {
  readonly parent: JsonPath | null;
  readonly segment: string | number;
}

export const ROOT: JsonPath | null = null;

export function child(parent: JsonPath | null, segment: string | number): JsonPath {
  return { parent, segment };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `metrics.vanilla.samples`, `history[3].tau`, `config["lr.masks"]`; '' for the root. */
export function formatPath(path: JsonPath | null): string {
  const segments: (string | number)[] = [];
  for (let p = path; p; p = p.parent) segments.unshift(p.segment);
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export class ReportParseError extends Error {
  constructor(
    readonly source: string,
    readonly jsonPath: string,
    readonly detail: string,
  ) {
    super(jsonPath === '' ? `${source}: ${detail}` : `${source}: ${jsonPath}: ${detail}`);
    this.name = 'ReportParseError';
  }
}

/** Thrown by decoders; parseReport adds the file name. */
export class DecodeError extends Error {
  constructor(
    readonly path: JsonPath | null,
    readonly detail: string,
  ) {
    super(`${formatPath(path)}: ${detail}`);
    this.name = 'DecodeError';
  }
}

export interface Decoder<T> {
  /** What the decoder accepts, in words, for error messages ("a number in [0, 1]"). */
  readonly expects: string;
  /** An object field with this decoder may be absent (and is then left out, not set to undefined). */
  readonly optional?: boolean;
  decode(value: unknown, path: JsonPath | null): T;
}

/** How a found value reads in an error message: `"x"`, `1.2`, `null`, `an array`. */
export function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const s = JSON.stringify(value);
      return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function mismatch(expects: string, value: unknown, path: JsonPath | null): never {
  throw new DecodeError(path, `expected ${expects}, found ${describeFound(value)}`);
}

/** A primitive decoder from a predicate. */
export function primitive<T>(expects: string, accepts: (value: unknown) => value is T): Decoder<T> {
  return {
    expects,
    decode(value, path) {
      return accepts(value) ? value : mismatch(expects, value, path);
    },
  };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const finiteNumber = primitive('a number', isNumber);
export const nonNegativeNumber = primitive('a number ≥ 0', (v): v is number => isNumber(v) && v >= 0);
export const positiveNumber = primitive('a number > 0', (v): v is number => isNumber(v) && v > 0);
export const unitInterval = primitive('a number in [0, 1]', (v): v is number => isNumber(v) && v >= 0 && v <= 1);
export const integer = primitive('an integer', (v): v is number => Number.isSafeInteger(v));
export const count = primitive('a non-negative integer', (v): v is number => Number.isSafeInteger(v) && (v as number) >= 0);
export const positiveInteger = primitive('a positive integer', (v): v is number => Number.isSafeInteger(v) && (v as number) >= 1);
export const string = primitive('a string', (v): v is string => typeof v === 'string');
export const boolean = primitive('a boolean', (v): v is boolean => typeof v === 'boolean');

/** A string that must also match `pattern` (described by `expects`). */
export function matching(expects: string, pattern: RegExp): Decoder<string> {
  return primitive(expects, (v): v is string => typeof v === 'string' && pattern.test(v));
}

export function literal<T extends string | number>(expected: T): Decoder<T> {
  return primitive(JSON.stringify(expected), (v): v is T => v === expected);
}

export function oneOf<T extends string>(...options: readonly T[]): Decoder<T> {
  return primitive(`one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, (v): v is T => options.includes(v as T));
}

export function nullable<T>(inner: Decoder<T>): Decoder<T | null> {
  return {
    expects: `${inner.expects} or null`,
    decode: (value, path) => (value === null ? null : inner.decode(value, path)),
  };
}

export function optional<T>(inner: Decoder<T>): Decoder<T | undefined> {
  return { expects: inner.expects, optional: true, decode: (value, path) => inner.decode(value, path) };
}

/** Any of several decoders, tried in order (for unions of primitives). */
export function union<T>(expects: string, ...members: readonly Decoder<T>[]): Decoder<T> {
  return {
    expects,
    decode(value, path) {
      for (const m of members) {
        try {
          return m.decode(value, path);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
      return mismatch(expects, value, path);
    },
  };
}

export function array<T>(item: Decoder<T>): Decoder<T[]> {
  return {
    expects: `an array (each ${item.expects})`,
    decode(value, path) {
      if (!Array.isArray(value)) return mismatch('an array', value, path);
      return value.map((v, i) => item.decode(v, child(path, i)));
    },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string-keyed map whose values all decode with `item` (the flat config, input shapes). */
export function record<T>(item: Decoder<T>): Decoder<Record<string, T>> {
  return {
    expects: 'an object',
    decode(value, path) {
      if (!isPlainObject(value)) return mismatch('an object', value, path);
      const out: Record<string, T> = {};
      for (const [k, v] of Object.entries(value)) out[k] = item.decode(v, child(path, k));
      return out;
    },
  };
}

export type Fields<T> = { readonly [K in keyof T]-?: Decoder<T[K]> };

/**
 * An object with exactly these fields: a missing required field and an unknown field are both errors (an
 * unknown field is usually a typo or a report from another tool, and silently dropping it would lose data).
 * `check` runs after the fields decode, for rules across fields.
 */
export function object<T>(fields: Fields<T>, check?: (value: T, path: JsonPath | null) => void): Decoder<T> {
  const known = Object.keys(fields) as (keyof T & string)[];
  return {
    expects: 'an object',
    decode(value, path) {
      if (!isPlainObject(value)) return mismatch('an object', value, path);
      for (const k of Object.keys(value)) {
        if (!Object.prototype.hasOwnProperty.call(fields, k)) {
          throw new DecodeError(child(path, k), `unexpected field (known fields here: ${known.join(', ')})`);
        }
      }
      const out = {} as T;
      for (const k of known) {
        const decoder = fields[k];
        if (!Object.prototype.hasOwnProperty.call(value, k)) {
          if (decoder.optional) continue;
          throw new DecodeError(child(path, k), `missing (expected ${decoder.expects})`);
        }
        out[k] = decoder.decode(value[k], child(path, k));
      }
      check?.(out, path);
      return out;
    },
  };
}

/** Parse JSON text, reporting a syntax error with the file name. */
export function parseJson(json: string, source: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    throw new ReportParseError(source, '', `not valid JSON (${(e as Error).message})`);
  }
}

/** Run a decoder on parsed JSON, turning its DecodeError into a ReportParseError naming the file. */
export function decodeFile<T>(decoder: Decoder<T>, value: unknown, source: string): T {
  try {
    return decoder.decode(value, ROOT);
  } catch (e) {
    if (e instanceof DecodeError) throw new ReportParseError(source, formatPath(e.path), e.detail);
    throw e;
  }
}
