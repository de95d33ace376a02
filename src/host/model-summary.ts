/** What the form shows about the model: the engine's view of it (describeModel), or why it cannot be read. */
import { describeModel } from '../core/jobs/info-job';
import type { ModelSummary } from '../protocol/webview-messages';

export function summarizeModel(modelPath: string): { model: ModelSummary; error: null } | { model: null; error: string } {
  try {
    const info = describeModel(modelPath);
    return {
      model: {
        inputShape: info.input.shape.map((d) => (d === null ? '?' : String(d))).join('×'),
        parameters: info.parameters,
        classifier: info.classifier,
        bottleneck: info.bottleneck,
        groups: info.groups.map((g) => ({ id: g.id, label: g.label, units: g.units })),
      },
      error: null,
    };
  } catch (e) {
    return { model: null, error: e instanceof Error ? e.message : String(e) };
  }
}
