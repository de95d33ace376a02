/**
 * A strict XML well-formedness parser for the figure tests (no regular expressions, no dependencies): it
 * accepts the subset of XML 1.0 a figure may use (an optional declaration, comments, elements, attributes,
 * character and the five predefined entity references, text) and throws, with the offset, on anything else:
 * unescaped '<' or '&', unquoted or duplicate attributes, mismatched or unclosed tags, several roots.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || ch === ':' || ch.charCodeAt(0) > 0x7f;
}

function isNameChar(ch: string): boolean {
  return isNameStart(ch) || (ch >= '0' && ch <= '9') || ch === '-' || ch === '.';
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed XML at offset ${pos}: ${why} (near ${JSON.stringify(text.slice(Math.max(0, pos - 20), pos + 20))})`);
  };
  const startsWith = (s: string): boolean => text.startsWith(s, pos);
  const skipSpace = (): void => {
    while (pos < text.length && isSpace(text[pos])) pos++;
  };
  const name = (): string => {
    if (pos >= text.length || !isNameStart(text[pos])) fail('expected a name');
    const start = pos;
    while (pos < text.length && isNameChar(text[pos])) pos++;
    return text.slice(start, pos);
  };
  /** Reads up to `end`, decoding references; '<' is never allowed, and '&' only as a reference. */
  const characterData = (end: (ch: string) => boolean): string => {
    let out = '';
    while (pos < text.length && !end(text[pos])) {
      const ch = text[pos];
      const cp = text.codePointAt(pos) as number;
      if (!isXmlChar(cp)) fail(`character U+${cp.toString(16)} is not allowed in XML`);
      if (ch === '<') fail("unescaped '<'");
      if (ch === '&') {
        const semi = text.indexOf(';', pos);
        if (semi < 0 || semi - pos > 12) fail("unescaped '&'");
        const ref = text.slice(pos + 1, semi);
        if (ref.startsWith('#')) {
          const digits = ref.startsWith('#x') ? ref.slice(2) : ref.slice(1);
          const value = ref.startsWith('#x') ? parseInt(digits, 16) : parseInt(digits, 10);
          if (digits === '' || !Number.isInteger(value) || !isXmlChar(value)) fail(`bad character reference &${ref};`);
          out += String.fromCodePoint(value);
        } else if (Object.prototype.hasOwnProperty.call(ENTITIES, ref)) out += ENTITIES[ref];
        else fail(`unknown entity &${ref};`);
        pos = semi + 1;
        continue;
      }
      out += String.fromCodePoint(cp);
      pos += cp > 0xffff ? 2 : 1;
    }
    return out;
  };
  const comment = (): void => {
    const end = text.indexOf('-->', pos + 4);
    if (end < 0) fail('unterminated comment');
    if (text.slice(pos + 4, end).includes('--')) fail("'--' inside a comment");
    pos = end + 3;
  };
  const element = (): XmlElement => {
    pos++; // '<'
    const tagName = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (startsWith('/>')) {
        pos += 2;
        return { name: tagName, attributes, children: [] };
      }
      if (startsWith('>')) {
        pos++;
        break;
      }
      if (pos === before) fail('expected whitespace before an attribute');
      const attr = name();
      skipSpace();
      if (text[pos] !== '=') fail(`attribute ${attr} has no '='`);
      pos++;
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} is not quoted`);
      pos++;
      const value = characterData((ch) => ch === quote);
      if (pos >= text.length) fail(`unterminated value of attribute ${attr}`);
      pos++;
      if (Object.prototype.hasOwnProperty.call(attributes, attr)) fail(`duplicate attribute ${attr}`);
      attributes[attr] = value;
    }
    const children: (XmlElement | string)[] = [];
    for (;;) {
      if (pos >= text.length) fail(`<${tagName}> is never closed`);
      if (startsWith('</')) {
        pos += 2;
        const closing = name();
        if (closing !== tagName) fail(`</${closing}> closes <${tagName}>`);
        skipSpace();
        if (text[pos] !== '>') fail(`expected '>' after </${closing}`);
        pos++;
        return { name: tagName, attributes, children };
      }
      if (startsWith('<!--')) comment();
      else if (startsWith('<!') || startsWith('<?')) fail('declarations, CDATA and processing instructions are not expected inside a figure');
      else if (startsWith('<')) children.push(element());
      else children.push(characterData((ch) => ch === '<'));
    }
  };

  if (startsWith('<?xml')) {
    const end = text.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
  }
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (startsWith('<!--')) comment();
      else return;
    }
  };
  misc();
  if (!startsWith('<') || startsWith('<!') || startsWith('<?')) fail('expected the root element');
  const root = element();
  misc();
  if (pos !== text.length) fail('content after the root element');
  return root;
}

/** Every element below (and including) `root` that `match` accepts, in document order. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    if (match(e)) out.push(e);
    for (const c of e.children) if (typeof c !== 'string') visit(c);
  };
  visit(root);
  return out;
}

export const byClass =
  (name: string, cls: string) =>
  (e: XmlElement): boolean =>
    e.name === name && (e.attributes.class ?? '').split(' ').includes(cls);

/** The decoded text inside `e`. */
export function textContent(e: XmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}
