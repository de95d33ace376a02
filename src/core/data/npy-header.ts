/**
 * The header of a .npy file is the repr of a Python dict, e.g. "{'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }". It is parsed here as a tiny literal language (strings, True/False, integers, tuples,
 * lists, dicts) rather than evaluated, and then checked strictly: exactly the three keys, each of the right type.
 */
import { DatasetError } from './errors';

export interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
}

/** A parsed Python literal; tuples and lists are kept apart because 'shape' must be a tuple. */
type PyLiteral =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'tuple' | 'list'; readonly items: readonly PyLiteral[] }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [PyLiteral, PyLiteral])[] };

const MAX_RANK = 32; // NumPy allows 64; no image or label array comes near either

/** Parses and validates the header text; `file` names the .npy file in errors. */
export function parseNpyHeader(text: string, file: string): NpyHeader {
  const literal = new LiteralParser(text, file).parseWhole();
  if (literal.kind !== 'dict') throw new DatasetError(file, `header: expected a Python dict {'descr': …, 'fortran_order': …, 'shape': …}, got a ${literal.kind}`);
  const values = new Map<string, PyLiteral>();
  for (const [key, value] of literal.entries) {
    if (key.kind !== 'str') throw new DatasetError(file, `header: expected string keys, got a ${key.kind}`);
    if (!['descr', 'fortran_order', 'shape'].includes(key.value)) {
      throw new DatasetError(file, `header: unexpected key '${key.value}': expected exactly 'descr', 'fortran_order' and 'shape'`);
    }
    if (values.has(key.value)) throw new DatasetError(file, `header: key '${key.value}' appears twice`);
    values.set(key.value, value);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!values.has(key)) throw new DatasetError(file, `header: missing key '${key}': expected 'descr', 'fortran_order' and 'shape'`);
  }
  return {
    descr: descrOf(values.get('descr') as PyLiteral, file),
    fortranOrder: fortranOrderOf(values.get('fortran_order') as PyLiteral, file),
    shape: shapeOf(values.get('shape') as PyLiteral, file),
  };
}

function descrOf(value: PyLiteral, file: string): string {
  if (value.kind === 'list') {
    throw new DatasetError(file, `header 'descr': structured dtypes (a list of named fields) are not supported: save each field as its own plain numeric array`);
  }
  if (value.kind !== 'str') throw new DatasetError(file, `header 'descr': expected a dtype string like '<f4', got a ${value.kind}`);
  return value.value;
}

function fortranOrderOf(value: PyLiteral, file: string): boolean {
  if (value.kind !== 'bool') throw new DatasetError(file, `header 'fortran_order': expected True or False, got a ${value.kind}`);
  return value.value;
}

function shapeOf(value: PyLiteral, file: string): number[] {
  if (value.kind !== 'tuple') throw new DatasetError(file, `header 'shape': expected a tuple of integers such as (60000, 28, 28), got a ${value.kind}`);
  if (value.items.length > MAX_RANK) throw new DatasetError(file, `header 'shape': expected at most ${MAX_RANK} dimensions, got ${value.items.length}`);
  return value.items.map((item, axis) => {
    if (item.kind !== 'int') throw new DatasetError(file, `header 'shape': axis ${axis}: expected an integer, got a ${item.kind}`);
    if (item.value < 0 || !Number.isSafeInteger(item.value)) {
      throw new DatasetError(file, `header 'shape': axis ${axis}: expected a non-negative integer, got ${item.value}`);
    }
    return item.value;
  });
}

/** Recursive descent over the literal subset NumPy writes. */
class LiteralParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  parseWhole(): PyLiteral {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail(`unexpected '${this.text[this.pos]}' after the dict (only spaces and a newline may pad the header)`);
    return value;
  }

  private parseValue(): PyLiteral {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.parseDict();
    if (c === '(') return this.parseSequence(')', 'tuple');
    if (c === '[') return this.parseSequence(']', 'list');
    if (c === "'" || c === '"') return this.parseString(c);
    if (c !== undefined && /[-+0-9]/.test(c)) return this.parseInt();
    const word = /^[A-Za-z_]+/.exec(this.text.slice(this.pos))?.[0];
    if (word === 'True' || word === 'False') {
      this.pos += word.length;
      return { kind: 'bool', value: word === 'True' };
    }
    if (word === 'None') {
      this.pos += word.length;
      return { kind: 'none' };
    }
    return this.fail(c === undefined ? 'the header ends in the middle of a value' : `unexpected '${word ?? c}': expected a string, True/False, an integer, a tuple or a dict`);
  }

  private parseDict(): PyLiteral {
    this.pos++; // '{'
    const entries: [PyLiteral, PyLiteral][] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') break;
      const key = this.parseValue();
      this.skipSpace();
      this.expect(':');
      entries.push([key, this.parseValue()]);
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail("expected ',' or '}' in the dict");
    }
    this.pos++; // '}'
    return { kind: 'dict', entries };
  }

  private parseSequence(close: string, kind: 'tuple' | 'list'): PyLiteral {
    this.pos++; // the opening bracket
    const items: PyLiteral[] = [];
    let trailingComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) break;
      items.push(this.parseValue());
      this.skipSpace();
      trailingComma = this.text[this.pos] === ',';
      if (trailingComma) this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}' in the ${kind}`);
    }
    this.pos++; // close
    // In Python "(3)" is the integer 3, not a tuple; NumPy writes one-element shapes as "(3,)".
    if (kind === 'tuple' && items.length === 1 && !trailingComma) return items[0];
    return { kind, items };
  }

  private parseString(quote: string): PyLiteral {
    const start = ++this.pos;
    const end = this.text.indexOf(quote, start);
    if (end < 0) this.fail('unterminated string');
    const value = this.text.slice(start, end);
    if (value.includes('\\')) this.fail(`escape sequences are not expected in header strings, got ${quote}${value}${quote}`);
    this.pos = end + 1;
    return { kind: 'str', value };
  }

  private parseInt(): PyLiteral {
    // Python 2 wrote long integers with an L suffix ("(3L, 4L)"); old files still carry it.
    const match = /^[-+]?[0-9]+L?/.exec(this.text.slice(this.pos));
    if (match === null) return this.fail('expected an integer');
    this.pos += match[0].length;
    const value = Number(match[0].replace('L', ''));
    if (!Number.isSafeInteger(value)) this.fail(`integer ${match[0]} is too large`);
    return { kind: 'int', value };
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private expect(char: string): void {
    if (this.text[this.pos] !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  private fail(message: string): never {
    const shown = this.text.trimEnd();
    const quoted = JSON.stringify(shown.length > 200 ? `${shown.slice(0, 200)}…` : shown);
    throw new DatasetError(this.file, `header: ${message} at character ${this.pos} of ${quoted}`);
  }
}
