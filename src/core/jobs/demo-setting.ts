/**
 * The bundled default: the demo CNN trained by `bise train` on BiasedMNIST (models/README.md has the exact
 * command and its accuracy), and a BISE schedule short enough for a few minutes on 2 cores.
 */
import * as path from 'node:path';
import { DEFAULT_EXTRACT_CONFIG } from '../bise/config';
import { packageRoot } from './package-root';

/**
 * ρ = 0.97, not the paper's 0.99: trained on the 7,000 bundled training digits, the demo CNN at ρ = 0.99 learns
 * almost only colour (17.8% unbiased test accuracy, 8.9% on bias-conflicting digits), so there is no digit
 * subnetwork to find; at 0.97 the vanilla model holds some digit features (29% unbiased) that colour masks.
 */
const RHO = 0.97;

export const DEMO = {
  modelPath: path.join(packageRoot(), 'models', `biased-mnist-rho${RHO}-cnn.onnx`),
  data: { kind: 'biased-mnist', rho: RHO, seed: 0, trainSize: 7000, valSize: 1000, testSize: 2000 } as const,
  summary: 'τ halves every 2 epochs (20 epochs), auxiliary heads 10 epochs, masks start at +0.1',
  job: {
    // Masks start just above the keep threshold, so one batch's gradient sign cannot prune a unit at step 1.
    config: { ...DEFAULT_EXTRACT_CONFIG, tauPeriod: 2, auxEpochs: 10, maskInit: 0.1 },
    randomSeeds: 5,
    probe: true,
    probeEpochs: 30,
  },
};
