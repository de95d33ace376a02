/** The one place that touches the generated protobuf classes. */
import { onnx } from 'onnx-proto';

export { onnx };

/** protobufjs decodes int64 fields as Long objects (or numbers); convert safely. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  throw new Error(`expected an integer, found ${String(v)}`);
}
