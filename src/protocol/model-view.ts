/**
 * The model view (the read-only custom editor of `*.onnx` files): what the worker reads from a model, and the
 * messages between the host and the view's webview. The worker sends a ModelDescription in `model-description`
 * (worker-messages.ts); the host forwards it to the webview, which validates it again before rendering.
 *
 *   webview → host: ready | audit | extract
 *   host → webview: loading | description | unreadable
 */
import { Decoder, array, boolean, count, literal, nonNegativeNumber, nullable, object, optional, primitive, string, tagged } from './decoders';

/** A dimension as the model declares it: a size, a symbolic name ("batch"), or unknown. */
export type DeclaredDim = number | string | null;

/** A graph input or output: name, element type, declared shape. */
export interface TensorSignature {
  readonly name: string;
  readonly dtype: string;
  /** Null when the model declares no shape. */
  readonly shape: readonly DeclaredDim[] | null;
}

/** A node the engine cannot handle: its op (with the domain when not the default one) and why. */
export interface UnsupportedNode {
  readonly node: string;
  readonly op: string;
  readonly reason: string;
}

/** Per-sample cost at the declared input shapes (core/onnx/model-cost.ts). */
export interface ModelViewCost {
  readonly flops: number;
  readonly multiplyAdds: number;
  readonly counted: readonly string[];
  readonly inputs: readonly { readonly name: string; readonly dims: readonly number[] }[];
  readonly sequenceLength?: number;
}

/** What the engine would gate, as `bise info` lists it. */
export interface ModelViewUnits {
  readonly classifier: string;
  readonly bottleneck: string;
  readonly bottleneckPooling?: string;
  readonly groups: readonly {
    readonly id: number;
    readonly label: string;
    readonly units: number;
    readonly producers: readonly string[];
    readonly followers: readonly string[];
    readonly sites: readonly string[];
  }[];
  /** Layers left ungated, with the reason. */
  readonly skipped: readonly { readonly node: string; readonly reason: string }[];
}

/** Everything the model view shows about one file. */
export interface ModelDescription {
  readonly path: string;
  readonly fileBytes: number;
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: { readonly name: string; readonly version: string };
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  /** Op types and how many nodes use each, in first-use order. */
  readonly ops: readonly { readonly op: string; readonly count: number }[];
  /** Initializer elements, every dtype. */
  readonly parameters: number;
  /** Null when the model's shapes cannot be inferred (`problem` says why). */
  readonly cost: ModelViewCost | null;
  readonly unsupported: readonly UnsupportedNode[];
  /** Null when the engine cannot analyse the model (`problem` says why). */
  readonly units: ModelViewUnits | null;
  /** Why the engine cannot use this model, naming the node where there is one; null when it can. */
  readonly problem: string | null;
}

const dim = primitive<DeclaredDim>('a dimension (a number, a name or null)', (v): v is DeclaredDim => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)));
const tensorSignature = object<TensorSignature>({ name: string, dtype: string, shape: nullable(array(dim)) });

export const modelDescriptionDecoder: Decoder<ModelDescription> = object<ModelDescription>({
  path: string,
  fileBytes: count,
  irVersion: count,
  opsets: array(object<ModelDescription['opsets'][number]>({ domain: string, version: count })),
  producer: object<ModelDescription['producer']>({ name: string, version: string }),
  inputs: array(tensorSignature),
  outputs: array(tensorSignature),
  ops: array(object<ModelDescription['ops'][number]>({ op: string, count })),
  parameters: count,
  cost: nullable(
    object<ModelViewCost>({
      flops: nonNegativeNumber,
      multiplyAdds: nonNegativeNumber,
      counted: array(string),
      inputs: array(object<ModelViewCost['inputs'][number]>({ name: string, dims: array(count) })),
      sequenceLength: optional(count),
    }),
  ),
  unsupported: array(object<UnsupportedNode>({ node: string, op: string, reason: string })),
  units: nullable(
    object<ModelViewUnits>({
      classifier: string,
      bottleneck: string,
      bottleneckPooling: optional(string),
      groups: array(object<ModelViewUnits['groups'][number]>({ id: count, label: string, units: count, producers: array(string), followers: array(string), sites: array(string) })),
      skipped: array(object<ModelViewUnits['skipped'][number]>({ node: string, reason: string })),
    }),
  ),
  problem: nullable(string),
});

// ---- webview → host ----

export interface ModelViewReady {
  readonly type: 'ready';
}

/** Run `bise.auditModel` on this file. */
export interface ModelViewAudit {
  readonly type: 'audit';
}

/** Run `bise.extractSubnetwork` on this file. */
export interface ModelViewExtract {
  readonly type: 'extract';
}

export type ModelViewToHost = ModelViewReady | ModelViewAudit | ModelViewExtract;

export const modelViewToHostDecoder: Decoder<ModelViewToHost> = tagged<ModelViewToHost, 'type'>('model view message', 'type', {
  ready: object<ModelViewReady>({ type: literal('ready') }),
  audit: object<ModelViewAudit>({ type: literal('audit') }),
  extract: object<ModelViewExtract>({ type: literal('extract') }),
});

// ---- host → webview ----

/** The worker is reading the model. */
export interface HostModelLoading {
  readonly type: 'loading';
  readonly modelPath: string;
}

/** What the worker read; `trusted`: the workspace is trusted, so audit and extract may run. */
export interface HostModelDescription {
  readonly type: 'description';
  readonly description: ModelDescription;
  readonly trusted: boolean;
}

/** The file is not a model the reader can parse (or the worker failed): `error` names the file and the problem. */
export interface HostModelUnreadable {
  readonly type: 'unreadable';
  readonly modelPath: string;
  readonly error: string;
}

export type HostToModelView = HostModelLoading | HostModelDescription | HostModelUnreadable;

export const hostToModelViewDecoder: Decoder<HostToModelView> = tagged<HostToModelView, 'type'>('host message', 'type', {
  loading: object<HostModelLoading>({ type: literal('loading'), modelPath: string }),
  description: object<HostModelDescription>({ type: literal('description'), description: modelDescriptionDecoder, trusted: boolean }),
  unreadable: object<HostModelUnreadable>({ type: literal('unreadable'), modelPath: string, error: string }),
});
