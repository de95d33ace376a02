/**
 * The worker's answer to `describe`: the engine's view of a model (describeModel) as the set-up form's summary, or
 * why the model cannot be read. Runs in the worker process, so parsing a large model never blocks the extension host.
 */
import { describeModel } from '../core/jobs/info-job';
import type { ModelSummaryMessage } from '../protocol/worker-messages';

export type ModelDescriber = (modelPath: string) => ModelSummaryMessage;

export const describeForForm: ModelDescriber = (modelPath) => {
  try {
    const info = describeModel(modelPath);
    return {
      type: 'model-summary',
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
    return { type: 'model-summary', model: null, error: e instanceof Error ? e.message : String(e) };
  }
};
