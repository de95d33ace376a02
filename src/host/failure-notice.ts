/**
 * The error notification a failed run shows: the worker's message (which names the file and the problem),
 * then its last few log lines for context. Stack frames stay in the output channel ("Show Log"); they are
 * never what the notification leads with or relies on.
 */
export interface FailureNotice {
  readonly severity: 'error';
  readonly text: string;
  readonly actions: readonly string[];
}

const TAIL_LINES = 3;

/**
 * JavaScript stack frames, V8's native stack trace, its banners and its GC trace ("[pid:0xaddr] 982 ms:
 * Mark-Compact …", which stderr can cut mid-line): for the log, not for the notification.
 */
function isStackFrame(line: string): boolean {
  return /^\s*at\s/.test(line) || /^\s*\d+:\s+0x[0-9a-f]+/i.test(line) || /^\s*(<---|-----)/.test(line) || /\[\d+:0x[0-9a-f]+\]/i.test(line) || /\b(Mark-Compact|Scavenge|average mu =)/.test(line);
}

export function failureNotice(message: string, log: readonly string[]): FailureNotice {
  const lead = message.trim() === '' ? 'the run failed without a message (see the log)' : message.trim();
  // The last log line usually repeats the message ("[error] …"); show only lines that add something.
  const tail = log
    .filter((l) => !isStackFrame(l) && l.trim() !== '' && !l.includes(lead))
    .slice(-TAIL_LINES)
    .join(' | ');
  return { severity: 'error', text: `BISE failed: ${lead}${tail ? ` — last log lines: ${tail}` : ''}`, actions: ['Show Log'] };
}
