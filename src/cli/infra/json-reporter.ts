/** --json mode: one JSON object per line on stdout, for scripts and the VS Code extension to parse. */
import type { JobEvent } from '../../core/bise/events';
import { describeFailure } from './failure';
import type { Reporter, ResolvedReporterOptions } from './reporter';

export function createJsonReporter(o: ResolvedReporterOptions): Reporter {
  let closed = false;
  const emit = (value: object): void => {
    o.stdout.write(JSON.stringify(value) + '\n');
  };
  return {
    json: true,
    onEvent: (event: JobEvent) => {
      if (!closed) emit(event);
    },
    print: () => {},
    notice: (text) => {
      o.stderr.write(text + '\n');
    },
    result: (value) => emit(resultLine(value)),
    error: (err) => {
      const failure = describeFailure(err, o);
      emit({ type: 'error', kind: failure.kind, message: failure.message });
      o.stderr.write(failure.text + '\n');
    },
    close: () => {
      closed = true;
    },
  };
}

/** A plain object's fields go at the top level next to "type"; anything else under "value". */
function resultLine(value: unknown): object {
  if (value === undefined) return { type: 'result' };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { type: 'result', value };
  // Assigned twice so "type" comes first and a field of the value named "type" cannot replace it.
  return Object.assign({ type: 'result' }, value, { type: 'result' });
}
