/**
 * The message decoders: the core's validating JSON decoders (pure, no Node), plus the two pieces messages
 * need on top — a union tagged by one field, and `receive`, which turns a decode failure into a dropped,
 * logged message instead of an exception in an event handler.
 */
import { DecodeError, Decoder, describeFound, formatPath } from '../core/report/decode';

export {
  DecodeError,
  array,
  boolean,
  count,
  finiteNumber,
  integer,
  literal,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  optional,
  positiveInteger,
  positiveNumber,
  primitive,
  string,
  unitInterval,
} from '../core/report/decode';
export type { Decoder, Fields } from '../core/report/decode';

/** One decoder per value of the tag field `K`: the key and the member's literal type must agree. */
export type TaggedMembers<T extends { readonly [P in K]: string }, K extends string> = {
  readonly [V in T[K]]: Decoder<Extract<T, { readonly [P in K]: V }>>;
};

/**
 * A discriminated union on the field `key` (`type` for messages, `kind` for jobs and datasets): the tag picks
 * the member decoder, so an error names the right member's fields.
 */
export function tagged<T extends { readonly [P in K]: string }, K extends string>(what: string, key: K, members: TaggedMembers<T, K>): Decoder<T> {
  const tags = Object.keys(members);
  return {
    expects: `${what} (${key} ${tags.map((t) => JSON.stringify(t)).join(', ')})`,
    decode(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError(path, `expected ${what}, found ${describeFound(value)}`);
      const tag = (value as Record<string, unknown>)[key];
      if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(members, tag)) {
        throw new DecodeError(path, `unknown ${what} ${key} ${tag === undefined ? '(none)' : describeFound(tag)}; known: ${tags.join(', ')}`);
      }
      return (members as unknown as Record<string, Decoder<T>>)[tag].decode(value, path);
    },
  };
}

/** Where a dropped message is reported (an output channel, console.warn, a test's array). */
export type DropLogger = (message: string) => void;

/** The decoded value, or why it does not decode; never throws for a bad value. */
export function decodeProblem<T>(decoder: Decoder<T>, value: unknown): { ok: true; value: T } | { ok: false; problem: string } {
  try {
    return { ok: true, value: decoder.decode(value, null) };
  } catch (e) {
    if (e instanceof DecodeError) {
      const where = formatPath(e.path);
      return { ok: false, problem: where === '' ? e.detail : `${where}: ${e.detail}` };
    }
    return { ok: false, problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Decode a message from an untrusted peer (the worker, the webview). A malformed or unknown message is
 * dropped: `log` gets one line naming the sender and the problem, and the result is undefined.
 */
export function receive<T>(decoder: Decoder<T>, value: unknown, from: string, log: DropLogger): T | undefined {
  const r = decodeProblem(decoder, value);
  if (r.ok) return r.value;
  log(`dropped a malformed message from the ${from}: ${r.problem}`);
  return undefined;
}
