// API Priority and Fairness (APF), the default flow control of kube-apiserver, on the virtual
// clock. Upstream: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go (config
// digestion, concurrency limits, borrowing), apf_filter.go and
// staging/src/k8s.io/apiserver/pkg/server/filters/priority-and-fairness.go (the filter: long-
// running requests, watch initialization, 429 with Retry-After), KEP-1040.
import type { EventId, Simulation } from "../../engine/simulation.js";
import { type Micros, SECOND } from "../../engine/time.js";
import { CATCH_ALL } from "./bootstrap.js";
import { computeConcurrencyAllocation } from "./conc-alloc.js";
import { type ResolvedApfConfig, type ResolvedFlowSchema, type ResolvedLevel, resolveApfConfig } from "./config.js";
import { Classifier, flowDistinguisher } from "./match.js";
import { FcRequest, QueueSet, type QueueSetSink, ReqState, Ring } from "./queueset.js";
import { DroppedRequestsStats } from "./retry-after.js";
import { SeatDemandStats } from "./seat-demand.js";
import { Dealer, hashFlowId } from "./shuffle-sharding.js";
import type {
  DispatchInfo,
  FlowControl,
  FlowControlLevelStats,
  FlowControlStats,
  FlowSchema,
  PriorityLevelConfiguration,
  RequestAttributes,
} from "./types.js";
import { WorkEstimator, type WorkEstimatorOptions } from "./work-estimator.js";

export interface ApfOptions {
  /** --max-requests-inflight (default 400). */
  maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight (default 200). */
  maxMutatingRequestsInflight?: number;
  /** The server concurrency limit; default the sum of the two inflight flags (600). */
  serverConcurrencyLimit?: number;
  /**
   * How long a request may wait in its queue, µs. Default 15 s: upstream lets a request wait a
   * quarter of its deadline (--request-timeout 60 s), and watches the default of
   * request-timeout / 4 (getRequestWaitContext).
   */
  requestWaitLimitUs?: Micros;
  /**
   * Priority levels and flow schemas, flowcontrol.apiserver.k8s.io/v1 shape. A list given
   * replaces the suggested objects of that kind; the mandatory exempt and catch-all objects are
   * added when missing; suggested flow schemas whose level is missing are dropped. Validated;
   * errors are InputErrors with paths under `configPath`.
   */
  config?: { priorityLevels?: PriorityLevelConfiguration[]; flowSchemas?: FlowSchema[] };
  configPath?: string;
  workEstimator?: WorkEstimatorOptions;
  /** Period of the borrowing adjustment, µs (default 10 s); 0 turns borrowing off (currentCL = nominalCL). */
  borrowingPeriodUs?: Micros;
  /**
   * Let the adjustment timer sleep while no level has any request (default true), so that
   * `runUntilIdle()` ends; the missed adjustments are replayed when the next request arrives.
   */
  suspendTimerWhenIdle?: boolean;
}

/** Upstream borrowingAdjustmentPeriod. */
export const BORROWING_PERIOD_US = 10 * SECOND;
/** Upstream priorityLevelMaxSeatsPercent: a level's max seats are 15% of its nominal limit. */
const MAX_SEATS_FRACTION = 0.15;
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

const LONG_RUNNING_INFO: DispatchInfo = Object.freeze({ priorityLevel: "", flowSchema: "", seats: 0 });

/** Runtime state of one priority level. */
class Level {
  nominalCL = 0;
  minCL = 0;
  maxCL = 0;
  currentCL = 0;
  /** Seat cap handed to the work estimator (MaxSeatsTracker); 0 = none. */
  maxSeats = 0;
  readonly demandStats = new SeatDemandStats();
  readonly dropped = new DroppedRequestsStats();
  readonly dealer: Dealer | null;
  qs!: QueueSet;

  constructor(
    readonly cfg: ResolvedLevel,
    readonly index: number,
  ) {
    const q = cfg.queuing;
    this.dealer = q !== undefined && q.queues > 1 ? new Dealer(q.queues, q.handSize) : null;
  }
}

/** Runtime state of one flow schema. */
class Schema {
  matched = 0;
  /** Hands by flow distinguisher (the hash is a pure function of the flow). */
  private readonly hands = new Map<string, Int32Array>();
  private readonly infos: DispatchInfo[] = [];

  constructor(
    readonly cfg: ResolvedFlowSchema,
    readonly level: Level,
  ) {}

  hand(distinguisher: string): Int32Array {
    let h = this.hands.get(distinguisher);
    if (h === undefined) {
      h = (this.level.dealer as Dealer).deal(hashFlowId(this.cfg.name, distinguisher));
      this.hands.set(distinguisher, h);
    }
    return h;
  }

  info(seats: number): DispatchInfo {
    let i = this.infos[seats];
    if (i === undefined) {
      i = Object.freeze({ priorityLevel: this.level.cfg.name, flowSchema: this.cfg.name, seats });
      this.infos[seats] = i;
    }
    return i;
  }
}

const SINGLE_QUEUE = new Int32Array(1);

/** API Priority and Fairness with the default bootstrap configuration or a given one. */
export class ApfFlowControl implements FlowControl, QueueSetSink {
  readonly serverConcurrencyLimit: number;
  readonly requestWaitLimitUs: Micros;
  readonly borrowingPeriodUs: Micros;
  /** The configuration in use, validated and defaulted. */
  readonly config: ResolvedApfConfig;
  private readonly levels: Level[];
  private readonly levelsByName = new Map<string, Level>();
  private readonly schemas: Schema[];
  private readonly catchAll: Schema;
  private readonly estimator: WorkEstimator;
  private readonly nominalCLSum: number;
  private readonly suspendWhenIdle: boolean;
  private longRunning = 0;
  private readonly classifier: Classifier;

  // Decisions are delivered after the state change that made them, in order, so that callbacks
  // may re-enter (call done() or handle()) safely.
  private readonly outbox = new Ring<FcRequest>();
  private flushing = false;

  // Borrowing timer.
  private nextAdjustAt: Micros;
  private timer: EventId = -1;
  private suspended = false;
  private stopped = false;
  private readonly onTick = () => this.tick();

  constructor(
    private readonly sim: Simulation,
    options: ApfOptions = {},
  ) {
    const readOnly = intAtLeast(options.maxRequestsInflight ?? 400, "maxRequestsInflight", 0);
    const mutating = intAtLeast(options.maxMutatingRequestsInflight ?? 200, "maxMutatingRequestsInflight", 0);
    this.serverConcurrencyLimit = intAtLeast(
      options.serverConcurrencyLimit ?? readOnly + mutating,
      "serverConcurrencyLimit",
      1,
    );
    this.requestWaitLimitUs = intAtLeast(options.requestWaitLimitUs ?? 15 * SECOND, "requestWaitLimitUs", 0);
    this.borrowingPeriodUs = intAtLeast(options.borrowingPeriodUs ?? BORROWING_PERIOD_US, "borrowingPeriodUs", 0);
    this.suspendWhenIdle = options.suspendTimerWhenIdle ?? true;
    this.estimator = new WorkEstimator(options.workEstimator);
    this.config = resolveApfConfig(options.config, options.configPath ?? "");

    this.levels = this.config.levels.map((cfg, i) => new Level(cfg, i));
    for (const l of this.levels) this.levelsByName.set(l.cfg.name, l);
    this.schemas = this.config.flowSchemas.map(
      (fs) => new Schema(fs, this.levelsByName.get(fs.priorityLevel) as Level),
    );
    this.classifier = new Classifier(this.config.flowSchemas);
    this.catchAll = this.schemas.find((s) => s.cfg.name === CATCH_ALL) as Schema;

    // Concurrency limits (apf_controller.go finishQueueSetReconfigsLocked).
    const serverCL = this.serverConcurrencyLimit;
    const shareSum = this.levels.reduce((s, l) => s + l.cfg.nominalConcurrencyShares, 0);
    let nominalSum = 0;
    for (const l of this.levels) {
      const c = l.cfg;
      l.nominalCL = Math.ceil((serverCL * c.nominalConcurrencyShares) / shareSum);
      const lendable = Math.round((l.nominalCL * c.lendablePercent) / 100);
      const borrowing =
        c.borrowingLimitPercent === undefined ? serverCL : Math.round((l.nominalCL * c.borrowingLimitPercent) / 100);
      l.minCL = l.nominalCL - lendable;
      l.maxCL = l.nominalCL + borrowing;
      l.currentCL = this.borrowingPeriodUs > 0 ? l.nominalCL - Math.floor(lendable / 2) : l.nominalCL;
      nominalSum += l.nominalCL;
      if (c.queuing !== undefined) {
        l.maxSeats = Math.max(
          1,
          Math.min(Math.ceil(l.nominalCL * MAX_SEATS_FRACTION), Math.floor(l.nominalCL / c.queuing.handSize)),
        );
      }
      l.qs = new QueueSet(
        sim,
        {
          name: c.name,
          mode: c.exempt ? "exempt" : c.queuing === undefined ? "reject" : "queue",
          queues: c.queuing?.queues ?? 0,
          queueLengthLimit: c.queuing?.queueLengthLimit ?? 0,
          concurrencyLimit: l.currentCL,
          waitLimitUs: this.requestWaitLimitUs,
        },
        this,
      );
    }
    this.nominalCLSum = nominalSum;
    this.nextAdjustAt = sim.now + this.borrowingPeriodUs;
    if (this.borrowingPeriodUs > 0) {
      // Upstream adjusts once when the configuration is digested, then every period.
      this.adjust(sim.now);
      this.timer = sim.at(this.nextAdjustAt, this.onTick);
    }
  }

  handle(
    req: RequestAttributes,
    start: (queueWaitUs: number, done: () => void, info: DispatchInfo) => void,
    reject: (retryAfterSeconds: number, reason: string, info: DispatchInfo) => void,
  ): void {
    if (this.suspended) this.catchUp(true);
    // Long-running requests other than watches bypass APF (upstream longRunningRequestCheck).
    if (req.verb === "proxy" || (req.subresource !== undefined && LONG_RUNNING_SUBRESOURCES.has(req.subresource))) {
      this.longRunning++;
      start(0, noop, LONG_RUNNING_INFO);
      return;
    }
    const schema = this.classify(req);
    schema.matched++;
    const level = schema.level;
    let hand: Int32Array | null = null;
    if (level.dealer !== null) hand = schema.hand(flowDistinguisher(req, schema.cfg));
    else if (level.qs.mode === "queue") hand = SINGLE_QUEUE;
    const we = this.estimator.estimate(req, level.maxSeats);
    const seats = we.initialSeats >= we.finalSeats ? we.initialSeats : we.finalSeats;
    const r = new FcRequest(
      this.sim.now,
      we.initialSeats,
      we.finalSeats,
      we.additionalLatencyUs,
      schema.info(seats),
      start,
      reject,
    );
    r.level = level.index;
    level.qs.startRequest(r, hand);
    this.flush();
  }

  /** The flow schema a request matches (the first in matching order; catch-all if none). */
  private classify(req: RequestAttributes): Schema {
    const i = this.classifier.classify(req);
    if (i >= 0) return this.schemas[i] as Schema;
    // Upstream falls back to catch-all when nothing matches (a user in neither
    // system:authenticated nor system:unauthenticated).
    return this.catchAll;
  }

  /** Names of the matched flow schema and priority level, without admitting anything. */
  classification(req: RequestAttributes): { flowSchema: string; priorityLevel: string } {
    const s = this.classify(req);
    return { flowSchema: s.cfg.name, priorityLevel: s.level.cfg.name };
  }

  /** Concurrency figures of one priority level, for tests and reports. */
  level(name: string):
    | {
        nominalCL: number;
        minCL: number;
        maxCL: number;
        currentCL: number;
        maxSeats: number;
        seatDemand: { avg: number; stdDev: number; highWatermark: number; smoothed: number };
      }
    | undefined {
    const l = this.levelsByName.get(name);
    if (l === undefined) return undefined;
    if (this.suspended) this.catchUp(false);
    const d = l.demandStats;
    return {
      nominalCL: l.nominalCL,
      minCL: l.minCL,
      maxCL: l.maxCL,
      currentCL: l.currentCL,
      maxSeats: l.maxSeats,
      seatDemand: { avg: d.avg, stdDev: d.stdDev, highWatermark: d.highWatermark, smoothed: d.smoothed },
    };
  }

  stats(): FlowControlStats {
    if (this.suspended) this.catchUp(false);
    const levels: FlowControlLevelStats[] = this.levels.map((l) => {
      const qs = l.qs;
      return {
        name: l.cfg.name,
        concurrencyLimit: l.cfg.exempt ? 0 : l.currentCL,
        nominalCL: l.nominalCL,
        minCL: l.minCL,
        maxCL: l.maxCL,
        dispatched: qs.dispatched,
        rejected: qs.rejectedQueueFull + qs.rejectedTimeout + qs.rejectedConcurrencyLimit,
        rejectedQueueFull: qs.rejectedQueueFull,
        rejectedTimeout: qs.rejectedTimeout,
        rejectedConcurrencyLimit: qs.rejectedConcurrencyLimit,
        executing: qs.totRequestsExecuting,
        waiting: qs.totRequestsWaiting,
        seatsInUse: qs.totSeatsInUse,
        peakSeatsInUse: qs.peakSeatsInUse,
        peakWaiting: qs.peakWaiting,
        waitUs: qs.waitSummary(),
      };
    });
    return {
      kind: "apf",
      serverConcurrencyLimit: this.serverConcurrencyLimit,
      longRunning: this.longRunning,
      levels,
      flowSchemas: this.schemas.map((s) => ({ name: s.cfg.name, matched: s.matched })),
    };
  }

  /** Stops the borrowing timer (for teardown); limits stay where they are. */
  stop(): void {
    this.stopped = true;
    this.suspended = false;
    if (this.timer >= 0) this.sim.cancel(this.timer);
    this.timer = -1;
  }

  // --- QueueSetSink ------------------------------------------------------------------------------

  /** @internal */
  dispatched(r: FcRequest): void {
    if (r.info.seats !== r.maxSeats) {
      r.info = Object.freeze({ priorityLevel: r.info.priorityLevel, flowSchema: r.info.flowSchema, seats: r.maxSeats });
    }
    r.done = () => this.finishRequest(r);
    this.outbox.push(r);
  }

  /** @internal */
  rejected(r: FcRequest, reason: "queue-full" | "time-out" | "concurrency-limit"): void {
    const level = this.levels[r.level] as Level;
    level.dropped.record(this.sim.now);
    r.rejectReason = reason;
    r.retryAfter = level.dropped.retryAfter;
    this.outbox.push(r);
  }

  /** @internal Delivers pending decisions, in the order they were made. */
  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const out = this.outbox;
      while (out.size > 0) {
        const r = out.shift();
        if (r.state === ReqState.Rejected) r.onReject(r.retryAfter, r.rejectReason, r.info);
        else r.onStart(r.waitUs, r.done, r.info);
      }
    } finally {
      this.flushing = false;
    }
  }

  // --- internals ---------------------------------------------------------------------------------

  private finishRequest(r: FcRequest): void {
    if (r.state !== ReqState.Executing) return; // a second done() is ignored
    (this.levels[r.level] as Level).qs.finish(r);
    this.flush();
  }

  private tick(): void {
    this.timer = -1;
    const now = this.sim.now;
    this.adjust(now);
    this.nextAdjustAt = now + this.borrowingPeriodUs;
    if (this.suspendWhenIdle && this.levels.every((l) => l.qs.idle)) {
      // Nothing can change until the next request arrives; it replays the missed adjustments.
      this.suspended = true;
    } else {
      this.timer = this.sim.at(this.nextAdjustAt, this.onTick);
    }
    this.flush();
  }

  /** Replays the adjustments the sleeping timer skipped (all levels idle meanwhile). */
  private catchUp(reschedule: boolean): void {
    const now = this.sim.now;
    while (this.nextAdjustAt <= now) {
      this.adjust(this.nextAdjustAt);
      this.nextAdjustAt += this.borrowingPeriodUs;
    }
    if (reschedule && !this.stopped) {
      this.suspended = false;
      this.timer = this.sim.at(this.nextAdjustAt, this.onTick);
    }
  }

  /**
   * The borrowing adjustment (apf_controller.go updateBorrowingLocked): from each level's seat
   * demand over the last period (seats executing + seats waiting, time-weighted), a lower bound
   * max(minCL, min(nominalCL, high watermark)), an upper bound maxCL and a target
   * max(lower bound, smoothed avg + stddev); the sum of nominal limits is then shared in
   * proportion to the targets within the bounds (computeConcurrencyAllocation).
   */
  private adjust(at: Micros): void {
    const items = this.levels.map((l) => {
      l.demandStats.update(l.qs.demand.reset(at));
      const lower = Math.max(l.minCL, Math.min(l.nominalCL, l.demandStats.highWatermark));
      return { lowerBound: lower, upperBound: l.maxCL, target: Math.max(lower, l.demandStats.smoothed) };
    });
    let allocs: number[];
    try {
      allocs = computeConcurrencyAllocation(this.nominalCLSum, items).allocs;
    } catch {
      // Upstream keeps the current limits when the problem has no solution.
      allocs = this.levels.map((l) => l.currentCL);
    }
    this.levels.forEach((l, i) => {
      l.currentCL = Math.round(allocs[i] as number);
      l.qs.setConcurrencyLimit(l.currentCL);
    });
  }
}

function noop(): void {}

function intAtLeast(v: number, name: string, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`APF: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}
