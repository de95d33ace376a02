/**
 * Reading a JSON file the extension saved next to a user's file (the form choice, the conversion choice): absent,
 * loaded and checked by a decoder, or invalid with the reason. Never fatal: the caller reports and ignores it.
 */
import * as fs from 'node:fs';
import { Decoder, decodeProblem } from '../protocol/decoders';

export type LoadedJsonFile<T> = { kind: 'none' } | { kind: 'loaded'; file: string; value: T } | { kind: 'invalid'; file: string; problem: string };

export function loadJsonFile<T>(file: string, decoder: Decoder<T>): LoadedJsonFile<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'invalid', file, problem: `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', file, problem: `not valid JSON (${(e as Error).message})` };
  }
  const r = decodeProblem(decoder, value);
  return r.ok ? { kind: 'loaded', file, value: r.value } : { kind: 'invalid', file, problem: r.problem };
}

/** Writes `body` as indented JSON through a temporary file and a rename, so a crash never leaves half a file. */
export function saveJsonFile(file: string, body: unknown): string {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
  fs.renameSync(tmp, file);
  return file;
}
