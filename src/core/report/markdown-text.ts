/** Markdown building blocks that keep text from user files (layer names, paths) inert. */

/**
 * Text as literal Markdown: backslash-escapes the characters GitHub would read as formatting, HTML, tables or
 * math, and turns line breaks into spaces (a label must never end a table row).
 */
export function escapeMarkdown(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?|\n|\t/g, ' ')) {
    out += '\\`*_[]<>|&~$'.includes(ch) ? `\\${ch}` : ch;
  }
  return out;
}

/** A link destination for a relative path: each segment percent-encoded, parentheses too. */
export function encodeLinkPath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29'))
    .join('/');
}

/** `[text](path)`, both made safe. */
export function markdownLink(text: string, path: string): string {
  return `[${escapeMarkdown(text)}](${encodeLinkPath(path)})`;
}

/** `![alt](path)`, both made safe. */
export function markdownImage(alt: string, path: string): string {
  return `!${markdownLink(alt, path)}`;
}

/** Inline code for text outside tables (hashes, paths): a fence longer than any backtick run inside. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r\n?|\n/g, ' ');
  let longest = 0;
  let run = 0;
  for (const ch of flat) {
    run = ch === '`' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

export type Alignment = 'left' | 'right';

/** A GitHub table; cells are Markdown already (escape user text with escapeMarkdown first). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[] = []): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== header.length) throw new Error(`table row ${i} has ${r.length} cells, the header ${header.length}`);
  }
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  const rule = header.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}
