/** XML text and markup helpers: every string from a user file goes through escapeXml before it reaches a figure. */

/** Whether a code point may appear in an XML 1.0 document at all (even escaped). */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * Text safe inside XML content and attribute values: the five special characters become entities, and
 * characters XML forbids outright (control characters, lone surrogates) become U+FFFD, since escaping cannot
 * make them legal and one of them would make the whole figure unreadable.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '"': out += '&quot;'; break;
      case "'": out += '&apos;'; break;
      default: out += isXmlChar(ch.codePointAt(0) as number) ? ch : '\ufffd';
    }
  }
  return out;
}

/** A coordinate or length: at most 2 decimals, no "-0", so figures are small and byte-stable. */
export function num(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

export type Attributes = Readonly<Record<string, string | number | undefined>>;

function attributes(attrs: Attributes): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return out;
}

/** An element; `children` is markup already (build it with tag/textElement, never from raw user text). */
export function tag(name: string, attrs: Attributes, children = ''): string {
  return children === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${children}</${name}>`;
}

/** An element whose content is plain text (escaped here). */
export function textElement(name: string, attrs: Attributes, text: string): string {
  return `<${name}${attributes(attrs)}>${escapeXml(text)}</${name}>`;
}

/** A tooltip / accessible name for the enclosing element. */
export function title(text: string): string {
  return textElement('title', {}, text);
}
