/**
 * The MI-alone check of the families section's twin (bench/torch-family-step.py): one untimed fused step with α = 0,
 * whose gate gradients are the MI terms' alone (the cross-entropy's outweigh them by orders of magnitude in dL/dgate
 * at random weights), through heads that tell the rows apart. At random weights z varies little over the rows (1–3%
 * of its size in ResNet-50 and DenseNet-121), so the timed head's logits barely differ between rows, and its MI
 * gradient, whose terms of order 1 cancel, is mostly float32 rounding: the two sides would agree only to ~1e-3 and
 * the check would say little about the formula. Scaling and centring each head's logits so that they vary by about 1
 * over the rows keeps the loss's form and makes the MI gradient large next to rounding.
 */
export interface HeadValues {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export interface MiCheck {
  /** The heads of the check step, in the loss's head order. */
  readonly heads: readonly HeadValues[];
  /** dL/dgate of the check step (α = 0), graphs.gates order. */
  readonly gateGrads: readonly Float32Array[];
  /** z of the check step (the timed steps' too: same input), flattened [N·D]: the twin computes its MI at this z. */
  readonly z: Float32Array;
}

/**
 * `head` [K, D] made to tell the rows of z [N, D] apart: W scaled so that its logits have a standard deviation over the
 * rows of 1 (averaged over the classes), and b set so that each class's logit averages 0 over the rows (else the
 * scaled W's mean logits, far apart, saturate the softmax). Unchanged when the logits do not vary at all (z the same
 * on every row: the MI has no gradient then).
 */
export function rowSeparatingHead(head: HeadValues, z: ArrayLike<number>, n: number): HeadValues {
  const k = head.bias.length;
  const d = head.weight.length / k;
  const mean = new Float64Array(k);
  const a = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
    let v = 0;
    for (let f = 0; f < d; f++) v += z[i * d + f] * head.weight[c * d + f];
    a[i * k + c] = v;
    mean[c] += v / n;
  }
  let spread = 0;
  for (let c = 0; c < k; c++) {
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (a[i * k + c] - mean[c]) ** 2;
    spread += Math.sqrt(squares / n) / k;
  }
  if (!(spread > 0)) return head;
  return { weight: head.weight.map((w) => w / spread), bias: Float32Array.from(mean, (m) => -m / spread) };
}
