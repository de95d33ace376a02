/**
 * Where the time of one `bise extract --json` run went, from the arrival time of each event line (events are
 * written synchronously to the pipe, so arrival ≈ emission) and the job's own step timings. Nothing here changes
 * the engine: phases lie between events the job already emits.
 *
 *   start ── "model checked in S s" ── aux-head 0 … 1 ── extract progress × steps ── epoch ── masks ── (aux-head
 *   0 … 1 after a τ step) ── … ── assess 0 ── 1 ── 2 ── 4 ── "pruned model verified" ── result ── exit
 */

export interface TimedEvent {
  /** Milliseconds since the child process was spawned. */
  readonly t: number;
  readonly event: { readonly type: string; readonly [key: string]: unknown };
}

export interface OursTimeline {
  readonly totalMs: number;
  /** Node start, module loading and model parsing: spawn → "model checked", less the preflight itself. */
  readonly startupMs: number;
  /** The model check on a random mask (preflight), as the job reports it. */
  readonly preflightMs: number;
  /** Dataset build, sessions and graphs: "model checked" → the head's pretraining starts. */
  readonly setupMs: number;
  /** Auxiliary-head pretraining and refits (one inference pass over the training set, then epochs on cached z). */
  readonly auxHeadMs: number;
  readonly auxHeadRuns: number;
  /** Every step as waited for: the gap before each extract progress event (data, respecialisation, step). */
  readonly stepIntervalsMs: readonly number[];
  /** The steps as the engine times them (forward, loss, MI, backward, updates), summed from the epoch events. */
  readonly engineStepMs: number;
  readonly steps: number;
  /** Validation after each epoch: last step → epoch event. */
  readonly validationMs: number;
  /** The mask-learning part: the head's pretraining starts → the last epoch's masks event. */
  readonly maskLearningMs: number;
  /** Test-set evaluation of vanilla and subnetwork (assess 0 → 1). */
  readonly testEvalMs: number;
  /** Random and magnitude baselines (assess 1 → 2, or → 4 without the probe). */
  readonly baselinesMs: number;
  /** The latent bias probe (assess 2 → 4). */
  readonly probeMs: number;
  /** Physical pruning, verification, data hash, report folder: assess done → exit. */
  readonly exportMs: number;
}

type Event = TimedEvent['event'];
const isProgress = (e: Event, phase: string, done?: number): boolean => e.type === 'progress' && e.phase === phase && (done === undefined || e.done === done);

export function oursTimeline(events: readonly TimedEvent[], exitMs: number): OursTimeline {
  const find = (pred: (e: Event) => boolean, from = 0): number => {
    for (let i = from; i < events.length; i++) if (pred(events[i].event)) return i;
    return -1;
  };
  const at = (i: number, what: string): number => {
    if (i < 0) throw new Error(`the extract run emitted no ${what} event; did its output format change?`);
    return events[i].t;
  };
  const checked = find((e) => e.type === 'log' && typeof e.message === 'string' && e.message.startsWith('model checked in '));
  const preflightS = Number(/model checked in ([\d.]+) s/.exec(String(events[checked]?.event.message))?.[1] ?? NaN);
  const firstHead = find((e) => isProgress(e, 'aux-head', 0));

  let auxHeadMs = 0;
  let auxHeadRuns = 0;
  let validationMs = 0;
  let steps = 0;
  let lastEpoch: Event | undefined;
  let lastMasks = -1;
  const stepIntervalsMs: number[] = [];
  // An auxiliary-head run goes from its 'aux-head' 0 event to the one whose done reaches its total (per-batch
  // events of the feature pass between them); the validation pass from an epoch's last step to its epoch event.
  let headStart: number | undefined;
  let lastStep: number | undefined;
  events.forEach(({ t, event }, i) => {
    const before = i > 0 ? events[i - 1] : undefined;
    if (isProgress(event, 'aux-head', 0)) headStart = t;
    else if (isProgress(event, 'aux-head') && headStart !== undefined && event.done === event.total) {
      auxHeadMs += t - headStart;
      auxHeadRuns++;
      headStart = undefined;
    }
    if (isProgress(event, 'extract') && before) {
      stepIntervalsMs.push(t - before.t);
      lastStep = t;
    }
    if (event.type === 'epoch' && before) {
      validationMs += t - (lastStep ?? before.t);
      lastEpoch = event;
    }
    if (event.type === 'masks') lastMasks = i;
  });
  if (lastEpoch) steps = stepIntervalsMs.length;
  // msPerStep in each epoch event is the running mean over every step so far.
  const engineStepMs = lastEpoch ? Number(lastEpoch.msPerStep) * steps : 0;

  const assess = [0, 1, 2, 4].map((d) => find((e) => isProgress(e, 'assess', d)));
  const assessEnd = at(assess[3], 'final assess progress');
  const testEvalMs = at(assess[1], 'assess baselines') - at(assess[0], 'assess start');
  const baselinesMs = (assess[2] >= 0 ? events[assess[2]].t : assessEnd) - at(assess[1], 'assess baselines');
  const probeMs = assess[2] >= 0 ? assessEnd - events[assess[2]].t : 0;
  const checkedAt = at(checked, "'model checked' log");
  return {
    totalMs: exitMs,
    startupMs: checkedAt - preflightS * 1000,
    preflightMs: preflightS * 1000,
    setupMs: at(firstHead, 'auxiliary-head') - checkedAt,
    auxHeadMs,
    auxHeadRuns,
    stepIntervalsMs,
    engineStepMs,
    steps,
    validationMs,
    maskLearningMs: at(lastMasks, 'masks') - events[firstHead].t,
    testEvalMs,
    baselinesMs,
    probeMs,
    exportMs: exitMs - assessEnd,
  };
}
