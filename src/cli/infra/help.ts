/** renderHelp: the text `bise <cmd> --help` prints, built from the same spec the parser uses so they cannot drift. */
import type { CommandSpec, FlagSpec, PositionalSpec } from './flag-spec';
import { describeRange, metavar } from './flag-wording';

const GUTTER = 2;
/** Left columns wider than this put their help text on the next line instead of misaligning every row. */
const MAX_LEFT = 30;

export function renderHelp(commandName: string, summary: string, spec: CommandSpec, width = 80): string {
  const positionals = spec.positionals ?? [];
  const out = [`${commandName} — ${summary}`, '', `usage: ${usageLine(commandName, spec)}`];

  if (positionals.length > 0) {
    out.push('', 'arguments:', ...table(positionals.map((p) => [positionalLabel(p), positionalHelp(p)]), width));
  }
  if (spec.flags.length > 0) {
    out.push('', 'flags:', ...table(spec.flags.map((f) => [flagLabel(f), flagHelp(f)]), width));
  }
  return out.join('\n') + '\n';
}

function usageLine(commandName: string, spec: CommandSpec): string {
  const required = spec.flags.filter((f) => f.type !== 'boolean' && f.required).map((f) => `--${f.name} <${metavar(f)}>`);
  const optional = spec.flags.some((f) => f.type === 'boolean' || !f.required) ? ['[flags]'] : [];
  const positionals = (spec.positionals ?? []).map(positionalLabel);
  return [commandName, ...required, ...optional, ...positionals].join(' ');
}

function positionalLabel(p: PositionalSpec): string {
  return p.required ? `<${p.name}>` : `[${p.name}]`;
}

function positionalHelp(p: PositionalSpec): string {
  return p.required ? p.help : `${p.help} (optional)`;
}

function flagLabel(f: FlagSpec): string {
  const short = f.short ? `-${f.short}, ` : '    ';
  if (f.type === 'boolean') return `${short}--${f.default === true ? 'no-' : ''}${f.name}`;
  return `${short}--${f.name} <${metavar(f)}>`;
}

function flagHelp(f: FlagSpec): string {
  if (f.type === 'boolean') {
    // A true default is documented as its --no- form; say what the flag does when left alone.
    return f.default === true ? `${f.help} (on unless --no-${f.name})` : f.help;
  }
  const notes: string[] = [];
  if (f.required) notes.push('required');
  if (f.default !== undefined) notes.push(`default: ${f.default}`);
  if ((f.type === 'number' || f.type === 'integer') && (f.min !== undefined || f.max !== undefined)) notes.push(describeRange(f.min, f.max));
  return notes.length > 0 ? `${f.help} (${notes.join('; ')})` : f.help;
}

function table(rows: readonly (readonly [string, string])[], width: number): string[] {
  const left = Math.max(0, ...rows.map(([l]) => l.length).filter((n) => n <= MAX_LEFT));
  const indent = ' '.repeat(GUTTER + left + GUTTER);
  return rows.flatMap(([label, help]) => {
    const wrapped = wrap(help, Math.max(20, width - indent.length));
    if (label.length > left) return [' '.repeat(GUTTER) + label, ...wrapped.map((line) => indent + line)];
    const first = ' '.repeat(GUTTER) + label.padEnd(left) + ' '.repeat(GUTTER) + (wrapped[0] ?? '');
    return [first, ...wrapped.slice(1).map((line) => indent + line)];
  });
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
