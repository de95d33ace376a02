/**
 * The bundled default: the demo CNN trained by `bise train` on BiasedMNIST (models/README.md has the exact
 * command and its accuracy), and a BISE schedule short enough for a few minutes on 2 cores.
 */
import * as path from 'node:path';
import { DEFAULT_EXTRACT_CONFIG } from '../bise/config';
import { packageRoot } from './package-root';

const RHO = 0.99;

export const DEMO = {
  modelPath: path.join(packageRoot(), 'models', `biased-mnist-rho${RHO}-cnn.onnx`),
  data: { kind: 'biased-mnist', rho: RHO, seed: 0, trainSize: 7000, valSize: 1000, testSize: 2000 } as const,
  summary: 'τ halves every 2 epochs, 20 epochs, auxiliary heads 10 epochs',
  job: {
    config: { ...DEFAULT_EXTRACT_CONFIG, tauPeriod: 2, auxEpochs: 10 },
    randomSeeds: 5,
    probe: true,
    probeEpochs: 30,
  },
};
