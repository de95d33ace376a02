/**
 * The step's sessions under a memory budget: from the estimate of memory-estimate.ts, the fastest configuration
 * that fits, else the leanest. Every configuration computes the same step (the lowered conv equals the direct one up
 * to float32 rounding), so only speed and memory depend on the choice.
 *
 * The fused mask step that extract runs (one session, fused-step-runner.ts, the arena on and the memory pattern
 * off): every qualifying conv in the frequency domain, then the convs with the largest activation spectra direct,
 * one size at a time, down to every conv direct (SimpleConvNet, batch 100, 2 threads: 466 … 1,270 CPU ms per step,
 * peak RSS 861 → 259 MiB). A two-session step (GateGradientRunner): every qualifying conv in the frequency domain,
 * then onnxruntime's memory pattern off, then the convs with the largest spectra direct, one size at a time, then
 * every conv direct, then the arena off (memory pattern on again: leaner without the arena); SimpleConvNet, batch
 * 100, CPU ms per step on a loaded machine: 664, 815, 998 … 1,447 and 2,178 ms, peak RSS 1,190 → 443 MiB. The
 * training step's choice: training-memory-budget.ts.
 */
import * as os from 'node:os';
import { inferShapes } from '../onnx/shape-inference';
import type { DifferentiablePair } from './differentiable-runner';
import { SessionConfig, lowersConvs } from './session';
import { FusedStepMemoryEstimate, SessionGraph, StepMemoryEstimate, estimateFusedStepMemory, estimateStepMemory, fusedStepGraph, loweredWorkspaces } from './memory-estimate';

export interface MemoryConfiguration {
  /** Convs whose activation spectra take more bytes stay direct; 0: every conv direct. */
  readonly frequencyConvMaxBytes: number;
  readonly memoryArena: boolean;
  readonly memoryPattern: boolean;
}

/**
 * The two-session step's factors, fitted to the peak RSS a step adds to its process (SimpleConvNet with 0–6 of its 6 lowered convs and the arena
 * on or off, ResNet-18 with the arena on or off, batch 100; bench/scale's memory section): a weight is held about
 * 2.4 times per session that reads it (the model's array, onnxruntime's initializer and its prepacked, blocked
 * copy; the kernel spectra are not prepacked), and each tensor kept between forward and backward about 4 times
 * (the caller's buffer, onnxruntime's blocked layout, the backward's reordered input). With the arena on, a session
 * keeps the blocks its first run took tensor by tensor next to the single block its later runs take (the memory
 * pattern): its intermediates count twice (with the pattern off, 1.25 times); without the arena only the running
 * session's are held. The estimates
 * came within −8% … +9% of the measured peaks; a model of a few MB (MLP 3×100) adds ~35 MB that no part accounts for.
 */
export const WEIGHT_FACTOR = 2.4;
export const KEPT_FACTOR = 4;
export const ARENA_INTERMEDIATE_FACTOR = 2;
/** With the arena on and the memory pattern off, the arena's blocks outgrow the live set by fragmentation (fitted as above). */
export const ARENA_NO_PATTERN_FACTOR = 1.25;

/**
 * The fused step's factors, fitted to its peak RSS over the RSS before the model was read, measured one child
 * process per configuration with bench/memory-fit.ts (bench/memory-fit-data/fused-step.jsonl; 2 threads, the arena
 * on and the memory pattern off, as the step runs): SimpleConvNet at batch 100 and 32 with 0–6 of its 6 qualifying
 * convs lowered, ResNet-18, the MLP, and MobileNetV2, AlexNet and DenseNet of test/fixtures/zoo at batch 100 and 32.
 * Constants, the lowered convs' kernel spectra among them, are held about 2.5 times (the model's array, onnxruntime's
 * initializer and its prepacked copy); the largest live set of intermediates about 2.4 times (the arena's blocks
 * grow in doubling regions and fragment; onnxruntime's layout reorders are not in the graph); any session about
 * 35 MiB (the MLP's whole step). Rounded up from the least-squares fit (about 2.4 and 2.1–2.2: −16% … +20%) so that no estimate
 * falls more than 10% short: −9.5% … +27% of the 24 peaks, within ±10% on 14. The arena's peaks do not even fall
 * monotonically as convs leave the frequency domain (SimpleConvNet, batch 100: 389 MiB with 3 convs lowered, 406
 * with 2), which bounds how close a sum of parts can come.
 */
export const FUSED_CONSTANT_FACTOR = 2.5;
export const FUSED_INTERMEDIATE_FACTOR = 2.4;
export const SESSION_BYTES = 35 * 2 ** 20;

/** Share of the free memory the step may take when the user gives no budget (the data cache takes at most a quarter). */
export const DEFAULT_BUDGET_SHARE = 0.5;

export const MIB = 2 ** 20;

export function defaultMemoryBudgetBytes(freeBytes: number = os.freemem()): number {
  return Math.floor(freeBytes * DEFAULT_BUDGET_SHARE);
}

/** Bytes the step adds to the process in this configuration (the model as read included; node and onnxruntime's own memory aside). */
export function configurationBytes(e: StepMemoryEstimate, c: Omit<MemoryConfiguration, 'frequencyConvMaxBytes'>): number {
  const arenaFactor = c.memoryPattern ? ARENA_INTERMEDIATE_FACTOR : ARENA_NO_PATTERN_FACTOR;
  const intermediates = c.memoryArena ? arenaFactor * (e.forward + e.backward) : Math.max(e.forward, e.backward);
  return WEIGHT_FACTOR * e.constants + e.spectra + KEPT_FACTOR * e.kept + intermediates;
}

/** Bytes the fused step adds to the process (the model as read included), with the arena on and the pattern off. */
export function fusedConfigurationBytes(e: FusedStepMemoryEstimate): number {
  return SESSION_BYTES + FUSED_CONSTANT_FACTOR * (e.constants + e.spectra) + FUSED_INTERMEDIATE_FACTOR * e.intermediates;
}

/** From fastest to leanest, given the activation spectra of the convs the frequency domain would take (bytes). */
export function memoryConfigurations(workspaces: readonly number[]): MemoryConfiguration[] {
  const limits = [...[...new Set(workspaces)].sort((a, b) => b - a), 0];
  return [
    { frequencyConvMaxBytes: limits[0], memoryArena: true, memoryPattern: true },
    ...limits.map((l) => ({ frequencyConvMaxBytes: l, memoryArena: true, memoryPattern: false })),
    { frequencyConvMaxBytes: 0, memoryArena: false, memoryPattern: true },
  ];
}

/**
 * The fused step's configurations from fastest to leanest: fewer and fewer convs in the frequency domain. Its one
 * session runs with the arena on and the memory pattern off (fused-step-runner.ts withoutMemoryPattern); the arena
 * off was no leaner there (batch 100, every conv direct, peak RSS with the arena on / off with the pattern / off
 * without it: SimpleConvNet 259 / 280 / 323 MiB, ResNet-18 262 / 275 / 275, MobileNetV2 82 / 130 / 97).
 */
export function fusedMemoryConfigurations(workspaces: readonly number[]): MemoryConfiguration[] {
  const limits = [...[...new Set(workspaces)].sort((a, b) => b - a), 0];
  return limits.map((l) => ({ frequencyConvMaxBytes: l, memoryArena: true, memoryPattern: false }));
}

export interface MemoryCandidate {
  readonly configuration: MemoryConfiguration;
  readonly bytes: number;
}

export interface MemoryChoice extends MemoryCandidate {
  /** False when not even the leanest configuration fits: it is taken anyway. */
  readonly fits: boolean;
}

/** The first candidate (fastest) that fits the budget, else the leanest by its estimate (the later of equals). */
export function chooseConfiguration(candidates: readonly MemoryCandidate[], budgetBytes: number): MemoryChoice {
  if (candidates.length === 0) throw new Error('chooseConfiguration: no candidate configuration');
  const fitting = candidates.find((c) => c.bytes <= budgetBytes);
  return fitting ? { ...fitting, fits: true } : { ...candidates.reduce((lean, c) => (c.bytes <= lean.bytes ? c : lean)), fits: false };
}

const mib = (bytes: number): string => `${Math.round(bytes / MIB).toLocaleString('en-US')} MiB`;

/** How a configuration computes convs: `lowered` of `qualifying` convs in the frequency domain, and the arena. */
export function describeConfiguration(c: MemoryConfiguration, workspaces: readonly number[]): string {
  const lowered = workspaces.filter((w) => w <= c.frequencyConvMaxBytes).length;
  const convs = workspaces.length === 0 ? 'no conv qualifies for the frequency domain' : lowered === workspaces.length ? `all ${lowered} qualifying convs in the frequency domain` : `${lowered} of ${workspaces.length} qualifying convs in the frequency domain`;
  const arena = c.memoryArena ? `onnxruntime's memory arena on, memory pattern ${c.memoryPattern ? 'on' : 'off'}` : "onnxruntime's memory arena off";
  return `${convs}, ${arena}`;
}

/** The log line: budget, the fastest configuration's estimate, and what was chosen with its estimate. */
export function choiceMessage(choice: MemoryChoice, candidates: readonly MemoryCandidate[], workspaces: readonly number[], budgetBytes: number): string {
  return budgetChoiceMessage(choice, candidates[0], describeConfiguration(choice.configuration, workspaces), budgetBytes);
}

/** choiceMessage with the chosen configuration already described (the training step's have their own words). */
export function budgetChoiceMessage(choice: MemoryChoice, fastest: MemoryCandidate, described: string, budgetBytes: number): string {
  const chosen = `${described} (estimated ${mib(choice.bytes)})`;
  if (choice.fits && choice.configuration === fastest.configuration) return `memory budget ${mib(budgetBytes)}: the fastest configuration fits: ${chosen}`;
  const head = `memory budget ${mib(budgetBytes)}: the fastest configuration would take an estimated ${mib(fastest.bytes)}`;
  return choice.fits ? `${head}; chose ${chosen}` : `${head} and none fits; chose the leanest, ${chosen}: the step may take more memory than the budget`;
}

function sessionGraphs(pair: DifferentiablePair): [SessionGraph, SessionGraph] {
  const bwd = pair.backward.graph;
  return [
    { graph: pair.forward, shapes: pair.forwardShapes },
    { graph: bwd, shapes: inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]]))) },
  ];
}

/** How the step runs its forward and backward: joined in one session (the mask step extract runs) or as two. */
export type StepSessions = 'fused' | 'two-session';

/**
 * The session config a runner uses for this pair: unchanged without memoryBudgetBytes; with it, frequencyConvMaxBytes,
 * memoryArena and memoryPattern of the fastest configuration whose estimate fits, said through onMemoryChoice. Providers other
 * than cpu keep their own allocators: the budget is not applied there.
 */
export function withMemoryBudget(pair: DifferentiablePair, config: SessionConfig, sessions: StepSessions = 'fused'): SessionConfig {
  const { memoryBudgetBytes: budget, onMemoryChoice, ...rest } = config;
  if (budget === undefined || (config.provider ?? 'cpu') !== 'cpu') return rest;
  const [forward, backward] = sessionGraphs(pair);
  const joined = sessions === 'fused' ? fusedStepGraph(forward, backward) : undefined;
  const workspaces = !lowersConvs(config) ? [] : joined ? loweredWorkspaces(joined) : loweredWorkspaces(forward, backward);
  const configurations = joined ? fusedMemoryConfigurations(workspaces) : memoryConfigurations(workspaces);
  const candidates = configurations.map((configuration) => {
    const lowering = configuration.frequencyConvMaxBytes > 0 ? { maxWorkspaceBytes: configuration.frequencyConvMaxBytes } : undefined;
    const bytes = joined ? fusedConfigurationBytes(estimateFusedStepMemory(joined, lowering)) : configurationBytes(estimateStepMemory(forward, backward, lowering), configuration);
    return { configuration, bytes };
  });
  const choice = chooseConfiguration(candidates, budget);
  onMemoryChoice?.(choiceMessage(choice, candidates, workspaces, budget));
  return { ...rest, ...choice.configuration };
}
