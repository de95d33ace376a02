/** Phrases shared by parse errors and help text, so both describe a flag the same way. */
import type { FlagSpec } from './flag-spec';

/** The placeholder shown after a flag: <number>, <path>, <cpu|cuda>. */
export function metavar(flag: FlagSpec): string {
  return flag.type === 'enum' ? flag.choices.join('|') : flag.type;
}

export function describeRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  return `at most ${max}`;
}
