/**
 * Deterministic, pretty JSON: object keys sorted (a report's diff then shows what changed, not the order the
 * code happened to build it in), `schema` and `version` first so a reader sees what the file is at a glance.
 * Non-finite numbers are refused with their path instead of silently becoming null as in JSON.stringify.
 */
import { JsonPath, ROOT, child, formatPath } from './decode';

const FIRST_KEYS = ['schema', 'version'];

function compareKeys(a: string, b: string): number {
  const ia = FIRST_KEYS.indexOf(a);
  const ib = FIRST_KEYS.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? FIRST_KEYS.length : ia) - (ib === -1 ? FIRST_KEYS.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

function where(path: JsonPath | null): string {
  return formatPath(path) || '(top level)';
}

/** A copy with sorted keys and undefined object fields dropped; throws on values JSON cannot hold. */
function canonical(value: unknown, path: JsonPath | null): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where(path)} is ${value}, which JSON cannot represent`);
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (v === undefined) throw new Error(`${where(child(path, i))} is undefined, which JSON cannot represent`);
      return canonical(v, child(path, i));
    });
  }
  if (ArrayBuffer.isView(value)) throw new Error(`${where(path)} is a typed array; convert it with Array.from first`);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort(compareKeys)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonical(v, child(path, k));
    }
    return out;
  }
  throw new Error(`${where(path)} is a ${typeof value}, which JSON cannot represent`);
}

/** `value` as JSON with sorted keys, indented by `indent` spaces, ending with a newline. */
export function stableStringify(value: unknown, indent = 2): string {
  return `${JSON.stringify(canonical(value, ROOT), null, indent)}\n`;
}
