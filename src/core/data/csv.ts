/**
 * A CSV parser (RFC 4180): comma-separated fields, fields in double quotes may hold commas, line breaks and
 * doubled quotes (""), records end with LF or CRLF, and a UTF-8 byte-order mark is skipped. Empty lines are
 * skipped. Each record keeps the line it starts on, so that errors can point at the row a spreadsheet shows.
 */
import { DatasetError } from './errors';

export interface CsvRecord {
  readonly fields: readonly string[];
  /** 1-based line the record starts on (the header is usually line 1). */
  readonly line: number;
}

/** Decodes UTF-8 bytes (strictly: invalid bytes are an error, not U+FFFD) and parses them. */
export function parseCsvBytes(bytes: Uint8Array, file: string): CsvRecord[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(file, 'expected a UTF-8 text file (CSV), found bytes that are not valid UTF-8');
  }
  return parseCsv(text, file);
}

export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < text.length) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field: string;
      if (text[pos] === '"') {
        // Quoted field: runs to the next quote that is not doubled.
        const fieldLine = line;
        let value = '';
        pos++;
        for (;;) {
          const close = text.indexOf('"', pos);
          if (close < 0) throw new DatasetError(file, `line ${fieldLine}: a quoted field is never closed (expected a closing ")`);
          const chunk = text.slice(pos, close);
          line += countLineBreaks(chunk);
          value += chunk;
          pos = close + 1;
          if (text[pos] !== '"') break;
          value += '"';
          pos++;
        }
        const next = text[pos];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new DatasetError(file, `line ${line}: unexpected ${JSON.stringify(next)} after a closing quote: expected a comma or the end of the line`);
        }
        field = value;
      } else {
        let end = pos;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        field = text.slice(pos, end);
        if (field.includes('"')) {
          throw new DatasetError(file, `line ${line}: a quote inside an unquoted field (${JSON.stringify(field)}): expected the whole field in quotes, with inner quotes doubled`);
        }
        pos = end;
      }
      fields.push(field);
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      break; // end of line or of text
    }
    pos = skipLineBreak(text, pos);
    line++;
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) records.push({ fields, line: startLine });
  }
  return records;
}

function skipLineBreak(text: string, pos: number): number {
  if (text[pos] === '\r') pos++;
  if (text[pos] === '\n') pos++;
  return pos;
}

function countLineBreaks(chunk: string): number {
  let count = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === '\n' || (chunk[i] === '\r' && chunk[i + 1] !== '\n')) count++;
  }
  return count;
}
