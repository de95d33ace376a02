/**
 * The readable part of a raw email (RFC 822 headers, a body that may be quoted-printable, HTML or MIME parts), as
 * a short text a small model can read: the subject, then the first characters of the body with the headers, MIME
 * markers, HTML tags, base64 lines, URLs and addresses taken out and the whitespace collapsed. Pure: the same
 * email always gives the same text.
 */

/** Subject and the first `maxChars` characters of the body (cut at a word boundary), as "subject. body". */
export function emailText(raw: string, maxChars: number): string {
  const text = raw.replace(/\r\n?/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const subject = readableText(headerValue(headers, 'subject'));
  const start = readableText(bodyText(body, /quoted-printable/i.test(text)));
  const parts = [subject, cutAtWord(start, maxChars)].filter((p) => p !== '');
  return parts.join('. ');
}

/** A header's value with its folded continuation lines joined; '' when absent. */
function headerValue(headers: string, name: string): string {
  const lines = headers.split('\n');
  const at = lines.findIndex((line) => line.toLowerCase().startsWith(`${name}:`));
  if (at < 0) return '';
  const folded = [lines[at].slice(name.length + 1)];
  for (let i = at + 1; i < lines.length && /^[ \t]/.test(lines[i]); i++) folded.push(lines[i]);
  return folded.join(' ');
}

/** The body's lines without MIME boundaries, part headers and base64 blocks; quoted-printable decoded. */
function bodyText(body: string, quotedPrintable: boolean): string {
  const decoded = quotedPrintable ? decodeQuotedPrintable(body) : body;
  const kept = decoded.split('\n').filter((line) => {
    const t = line.trim();
    if (t.startsWith('--')) return false;
    if (/^(content-[a-z-]+|mime-version|charset|boundary)\s*[:=]/i.test(t)) return false;
    if (/^[A-Za-z0-9+/=]{40,}$/.test(t)) return false;
    return !/^this is a multi-part message in mime format/i.test(t);
  });
  return stripHtml(kept.join('\n'));
}

/** Soft line breaks (`=` at a line's end) joined and `=XX` bytes decoded (as Latin-1: enough for the corpus' text). */
function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const ENTITIES: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function stripHtml(text: string): string {
  return text
    .replace(/<(style|script|head)[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (_entity: string, name: string) => {
      if (name.startsWith('#')) {
        const code = Number(name.slice(1));
        return code > 0 && code < 0x10000 ? String.fromCharCode(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? ' ';
    });
}

/** Without URLs, addresses, words longer than 20 characters and control characters; whitespace collapsed. */
function readableText(text: string): string {
  return text
    .replace(/(https?:\/\/|www\.)\S*/gi, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '' && word.length <= 20)
    .join(' ');
}

/** At most `maxChars` characters, ending at a word boundary when one is in reach. */
function cutAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return space > maxChars / 2 ? cut.slice(0, space) : cut;
}
