// Fair queuing for server requests within one APF priority level, after upstream
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset/queueset.go and
// types.go, on the simulation's virtual clock:
// - a request is shuffle-sharded into the queue of its hand with the least waiting work;
// - it is rejected ("queue-full") when the level's seats are all in use and that queue holds
//   queueLengthLimit requests;
// - dispatch picks, round robin from the last dispatched queue, the queue whose head has the
//   smallest virtual finish R (queue.nextDispatchR + work of the head), where the progress meter
//   R advances at min(seats requested, concurrency limit) / active queues seat-µs per µs;
// - a head that needs more seats than are free blocks dispatch until seats free up (a request
//   wider than the whole limit runs alone);
// - work = initialSeats x G (G = 3 ms estimated service time) + finalSeats x additional latency;
//   at the end the queue's R is corrected by initialSeats x (G - actual service time), and
//   "anti-windup" keeps a queue's nextDispatchR from falling below its head's arrival R;
// - a request still waiting after the wait limit is removed and rejected ("time-out").
// Levels without queues either never limit (exempt) or reject at once when full
// ("concurrency-limit", limitResponse Reject).
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { Histogram } from "../../metrics/histogram.js";
import { Integrator } from "./seat-demand.js";
import type { DispatchInfo, WaitSummary } from "./types.js";

/** Upstream estimatedServiceDuration: the service time assumed for each request's work. */
export const ESTIMATED_SERVICE_US = 3_000;

/** Life of a request in flow control. */
export const ReqState = {
  Waiting: 0,
  Executing: 1,
  /** Done executing, still holding its final seats for the additional latency. */
  Lingering: 2,
  Finished: 3,
  Rejected: 4,
} as const;
export type ReqState = (typeof ReqState)[keyof typeof ReqState];

/** One request inside flow control. */
export class FcRequest {
  state: ReqState = ReqState.Waiting;
  queue: FqQueue | null = null;
  arrivalR = 0;
  startUs = 0;
  waitUs = 0;
  /** Seats held while executing: max(initialSeats, finalSeats). */
  maxSeats: number;
  /** Work of the request in seat-µs (initial + final phase). */
  readonly totalWork: number;
  /** Work of the final phase in seat-µs. */
  readonly finalWork: number;
  finalSeats: number;
  additionalLatencyUs: number;
  /** Set at dispatch. */
  done: () => void = noop;
  // Outcome delivered by the owner after the state change that produced it.
  rejectReason = "";
  retryAfter = 0;
  /** Index of the owner's priority level. */
  level = -1;

  constructor(
    readonly arrivalUs: Micros,
    readonly initialSeats: number,
    finalSeats: number,
    additionalLatencyUs: number,
    public info: DispatchInfo,
    readonly onStart: (queueWaitUs: number, done: () => void, info: DispatchInfo) => void,
    readonly onReject: (retryAfterSeconds: number, reason: string, info: DispatchInfo) => void,
  ) {
    this.finalSeats = finalSeats;
    this.additionalLatencyUs = additionalLatencyUs;
    this.maxSeats = initialSeats >= finalSeats ? initialSeats : finalSeats;
    this.finalWork = finalSeats * additionalLatencyUs;
    this.totalWork = initialSeats * ESTIMATED_SERVICE_US + this.finalWork;
  }
}

function noop(): void {}

/** A FIFO ring buffer that never shrinks (no array length changes on the hot path). */
export class Ring<T> {
  private items: (T | undefined)[] = new Array(8);
  private mask = 7;
  private head = 0;
  size = 0;

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  push(x: T): void {
    if (this.size > this.mask) this.grow();
    this.items[(this.head + this.size) & this.mask] = x;
    this.size++;
  }

  shift(): T {
    const x = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return x;
  }

  private grow(): void {
    const n = this.items.length;
    const next = new Array<T | undefined>(n * 2);
    for (let i = 0; i < n; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.mask = n * 2 - 1;
    this.head = 0;
  }
}

/** One FIFO queue of a queue set. */
export class FqQueue {
  private readonly items = new Ring<FcRequest>();
  /** R at which the next request of this queue is dispatched in the virtual world. */
  nextDispatchR = 0;
  executing = 0;
  seatsInUse = 0;
  waitingMaxSeats = 0;
  /** Sum of totalWork of waiting requests (seat-µs): the shuffle-sharding load measure. */
  waitingWork = 0;

  constructor(readonly index: number) {}

  get length(): number {
    return this.items.size;
  }

  peek(): FcRequest | undefined {
    return this.items.peek();
  }

  push(r: FcRequest): void {
    this.items.push(r);
    this.waitingMaxSeats += r.maxSeats;
    this.waitingWork += r.totalWork;
  }

  shift(): FcRequest {
    const r = this.items.shift();
    this.waitingMaxSeats -= r.maxSeats;
    this.waitingWork -= r.totalWork;
    return r;
  }

  get active(): boolean {
    return this.items.size > 0 || this.executing > 0;
  }
}

/** Where a queue set delivers its decisions (the owner calls the request's callbacks later). */
export interface QueueSetSink {
  dispatched(r: FcRequest): void;
  rejected(r: FcRequest, reason: "queue-full" | "time-out" | "concurrency-limit"): void;
  /** Called at the end of an event the queue set handled on its own (timeouts, seat release). */
  flush(): void;
}

export type QueueSetMode = "exempt" | "reject" | "queue";

export interface QueueSetConfig {
  name: string;
  mode: QueueSetMode;
  queues: number;
  queueLengthLimit: number;
  concurrencyLimit: number;
  /** Queue wait limit (µs); a waiting request is rejected when it has waited this long. */
  waitLimitUs: Micros;
}

export class QueueSet {
  readonly name: string;
  readonly mode: QueueSetMode;
  readonly queues: FqQueue[];
  /** Per queue: virtual finish R of its head (nextDispatchR + head's work), +Infinity if empty. */
  private readonly headFinish: Float64Array;
  readonly queueLengthLimit: number;
  private readonly waitLimitUs: number;
  concurrencyLimit: number;
  /** Seat demand (seats in use + seats waiting) over time, for borrowing. */
  readonly demand: Integrator;

  // Progress meter R (seat-µs per queue) and the real time it was last advanced.
  private currentR = 0;
  private lastRealTime: Micros;
  private robinIndex = -1;
  private enqueues = 0;
  private activeQueues = 0;

  totRequestsWaiting = 0;
  totRequestsExecuting = 0;
  totSeatsInUse = 0;
  totSeatsWaiting = 0;

  // Counters.
  dispatched = 0;
  rejectedQueueFull = 0;
  rejectedTimeout = 0;
  rejectedConcurrencyLimit = 0;
  peakSeatsInUse = 0;
  peakWaiting = 0;
  private readonly waits = new Histogram();

  // Waiting requests in arrival order, for the wait-limit timer: every request of a level has
  // the same limit, so deadlines expire in this order (and within a queue, at its head).
  private readonly deadlines = new Ring<FcRequest>();
  private timerPending = false;
  private readonly onDeadline = () => this.expire();
  private readonly onLingerDone = (r: FcRequest) => this.lingerDone(r);

  constructor(
    private readonly sim: Simulation,
    config: QueueSetConfig,
    private readonly sink: QueueSetSink,
  ) {
    this.name = config.name;
    this.mode = config.mode;
    this.queueLengthLimit = config.queueLengthLimit;
    this.concurrencyLimit = config.concurrencyLimit;
    this.waitLimitUs = config.waitLimitUs;
    this.queues = config.mode === "queue" ? Array.from({ length: config.queues }, (_, i) => new FqQueue(i)) : [];
    this.headFinish = new Float64Array(this.queues.length).fill(Number.POSITIVE_INFINITY);
    this.lastRealTime = sim.now;
    this.demand = new Integrator(sim.now);
  }

  /** Admits a new request: dispatch, reject or enqueue (into the queue chosen from `hand`). */
  startRequest(r: FcRequest, hand: Int32Array | null): void {
    this.syncTime();
    if (this.mode !== "queue") {
      if (!this.canAccommodate(r.maxSeats)) {
        this.rejectedConcurrencyLimit++;
        r.state = ReqState.Rejected;
        this.sink.rejected(r, "concurrency-limit");
        return;
      }
      this.startExecuting(r, null);
      return;
    }
    const q = this.queues[hand === null ? 0 : this.shuffleShard(hand)] as FqQueue;
    if (this.totSeatsInUse >= this.concurrencyLimit && q.length >= this.queueLengthLimit) {
      this.rejectedQueueFull++;
      r.state = ReqState.Rejected;
      this.sink.rejected(r, "queue-full");
      return;
    }
    this.enqueue(r, q);
    this.boundNextDispatch(q);
    if (this.totRequestsWaiting === 1) {
      // The only waiting request: the scan would pick its queue (the only finite finish).
      if (this.totSeatsInUse < this.concurrencyLimit && this.canAccommodate(r.maxSeats)) this.dispatchHead(q);
      return;
    }
    this.dispatchAsMuchAsPossible();
  }

  /** The request finished executing (the caller's `done()`). */
  finish(r: FcRequest): void {
    this.syncTime();
    this.totRequestsExecuting--;
    const q = r.queue;
    if (q !== null) {
      q.executing--;
      // The queue was charged G per seat at dispatch; settle with the actual service time.
      q.nextDispatchR -= r.initialSeats * (ESTIMATED_SERVICE_US - (this.sim.now - r.startUs));
      this.boundNextDispatch(q);
      if (!q.active) this.activeQueues--;
    }
    if (r.additionalLatencyUs <= 0) {
      r.state = ReqState.Finished;
      this.releaseSeats(r);
    } else {
      // The final seats stay occupied for the additional latency, invisible to the caller.
      r.state = ReqState.Lingering;
      this.sim.after(r.additionalLatencyUs, this.onLingerDone, r);
    }
    this.dispatchAsMuchAsPossible();
  }

  /** A new concurrency limit (borrowing adjustment); dispatches what now fits. */
  setConcurrencyLimit(cl: number): void {
    this.syncTime();
    this.concurrencyLimit = cl;
    if (this.mode === "queue") this.dispatchAsMuchAsPossible();
  }

  get idle(): boolean {
    return this.totRequestsWaiting === 0 && this.totRequestsExecuting === 0 && this.totSeatsInUse === 0;
  }

  waitSummary(): WaitSummary {
    return this.waits.summary();
  }

  /** R for tests and debugging. */
  get virtualTime(): number {
    return this.currentR;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Advances R over the time since the last change, at the rate the state before it implied. */
  private syncTime(): void {
    const now = this.sim.now;
    const dt = now - this.lastRealTime;
    if (dt <= 0) return;
    this.lastRealTime = now;
    if (this.activeQueues > 0) {
      const requested = this.totSeatsInUse + this.totSeatsWaiting;
      const seats = requested < this.concurrencyLimit ? requested : this.concurrencyLimit;
      this.currentR += (seats / this.activeQueues) * dt;
    }
  }

  /** The queue of the hand with the least waiting work, starting at a rotating offset. */
  private shuffleShard(hand: Int32Array): number {
    const n = hand.length;
    const offset = this.enqueues % n;
    this.enqueues++;
    let best = -1;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0, j = offset; i < n; i++, j = j + 1 === n ? 0 : j + 1) {
      const qi = hand[j] as number;
      const w = (this.queues[qi] as FqQueue).waitingWork;
      if (w < min) {
        min = w;
        best = qi;
      }
    }
    return best;
  }

  private enqueue(r: FcRequest, q: FqQueue): void {
    if (!q.active) {
      // An idle queue starts at the current virtual time.
      q.nextDispatchR = this.currentR;
      this.activeQueues++;
    }
    r.queue = q;
    r.arrivalR = this.currentR;
    q.push(r);
    this.totRequestsWaiting++;
    this.totSeatsWaiting += r.maxSeats;
    if (this.totRequestsWaiting > this.peakWaiting) this.peakWaiting = this.totRequestsWaiting;
    this.noteDemand();
    // Wait-limit bookkeeping: drop already-dispatched entries at the front, arm the timer.
    const d = this.deadlines;
    while (d.size > 0 && (d.peek() as FcRequest).state !== ReqState.Waiting) d.shift();
    d.push(r);
    if (!this.timerPending) this.armTimer();
  }

  private armTimer(): void {
    const head = this.deadlines.peek() as FcRequest;
    this.timerPending = true;
    this.sim.at(Math.max(this.sim.now, head.arrivalUs + this.waitLimitUs), this.onDeadline);
  }

  /** Rejects requests that have waited the wait limit (they are at the heads of their queues). */
  private expire(): void {
    this.timerPending = false;
    const now = this.sim.now;
    const d = this.deadlines;
    let synced = false;
    while (d.size > 0) {
      const r = d.peek() as FcRequest;
      if (r.state === ReqState.Waiting) {
        if (r.arrivalUs + this.waitLimitUs > now) break;
        if (!synced) {
          this.syncTime();
          synced = true;
        }
        this.timeOut(r);
      }
      d.shift();
    }
    if (d.size > 0) this.armTimer();
    this.sink.flush();
  }

  private timeOut(r: FcRequest): void {
    const q = r.queue as FqQueue;
    if (q.peek() !== r) throw new Error(`flow control ${this.name}: timed-out request is not at the head of its queue`);
    q.shift();
    if (!q.active) this.activeQueues--;
    this.totRequestsWaiting--;
    this.totSeatsWaiting -= r.maxSeats;
    this.noteDemand();
    this.boundNextDispatch(q);
    this.rejectedTimeout++;
    r.state = ReqState.Rejected;
    this.sink.rejected(r, "time-out");
  }

  private canAccommodate(seats: number): boolean {
    if (this.mode === "exempt") return true;
    if (seats > this.concurrencyLimit) return this.totRequestsExecuting === 0;
    return this.totSeatsInUse + seats <= this.concurrencyLimit;
  }

  private dispatchAsMuchAsPossible(): void {
    while (this.totRequestsWaiting !== 0 && this.totSeatsInUse < this.concurrencyLimit && this.dispatchOne()) {}
  }

  /**
   * Dispatches the head of the queue with the smallest virtual finish time, scanning round robin
   * from the queue after the last one dispatched (so ties go to queues not served last).
   */
  private dispatchOne(): boolean {
    const finish = this.headFinish;
    const nq = finish.length;
    let minFinish = Number.POSITIVE_INFINITY;
    let minIndex = -1;
    // Strictly smaller wins, so among equal finishes the first in round-robin order does.
    for (let i = this.robinIndex + 1; i < nq; i++) {
      const f = finish[i] as number;
      if (f < minFinish) {
        minFinish = f;
        minIndex = i;
      }
    }
    for (let i = 0, end = this.robinIndex + 1; i < end; i++) {
      const f = finish[i] as number;
      if (f < minFinish) {
        minFinish = f;
        minIndex = i;
      }
    }
    if (minIndex < 0) return false;
    const q = this.queues[minIndex] as FqQueue;
    // A head that does not fit blocks dispatching until seats free up.
    if (!this.canAccommodate((q.peek() as FcRequest).maxSeats)) return false;
    this.dispatchHead(q);
    return true;
  }

  /** Dispatches the head of `q` (chosen by the fair-queuing scan, and known to fit). */
  private dispatchHead(q: FqQueue): void {
    const r = q.shift();
    this.totRequestsWaiting--;
    this.totSeatsWaiting -= r.maxSeats;
    // Final seats beyond the whole limit are reshaped to the limit, keeping the final work.
    if (r.finalSeats > this.concurrencyLimit) {
      r.finalSeats = this.concurrencyLimit;
      r.additionalLatencyUs = Math.round(r.finalWork / r.finalSeats);
      r.maxSeats = r.initialSeats >= r.finalSeats ? r.initialSeats : r.finalSeats;
    }
    this.robinIndex = q.index;
    this.startExecuting(r, q);
    q.nextDispatchR += r.totalWork;
    this.boundNextDispatch(q);
  }

  private startExecuting(r: FcRequest, q: FqQueue | null): void {
    const now = this.sim.now;
    r.state = ReqState.Executing;
    r.startUs = now;
    r.waitUs = now - r.arrivalUs;
    // Seats held: the request's width, or its reshaped final width if that is larger.
    const seats = r.maxSeats;
    this.totRequestsExecuting++;
    this.totSeatsInUse += seats;
    if (this.totSeatsInUse > this.peakSeatsInUse) this.peakSeatsInUse = this.totSeatsInUse;
    if (q !== null) {
      q.executing++;
      q.seatsInUse += seats;
    }
    this.noteDemand();
    this.dispatched++;
    this.waits.record(r.waitUs);
    this.sink.dispatched(r);
  }

  private releaseSeats(r: FcRequest): void {
    this.totSeatsInUse -= r.maxSeats;
    if (r.queue !== null) r.queue.seatsInUse -= r.maxSeats;
    this.noteDemand();
  }

  private lingerDone(r: FcRequest): void {
    this.syncTime();
    r.state = ReqState.Finished;
    this.releaseSeats(r);
    this.dispatchAsMuchAsPossible();
    this.sink.flush();
  }

  /**
   * Anti-windup: a queue's next dispatch may not precede its head's arrival in R. Called after
   * every change of a queue's head or nextDispatchR; also refreshes the head's virtual finish.
   */
  private boundNextDispatch(q: FqQueue): void {
    const head = q.peek();
    if (head === undefined) {
      this.headFinish[q.index] = Number.POSITIVE_INFINITY;
      return;
    }
    if (q.nextDispatchR < head.arrivalR) q.nextDispatchR = head.arrivalR;
    this.headFinish[q.index] = q.nextDispatchR + head.totalWork;
  }

  private noteDemand(): void {
    this.demand.set(this.sim.now, this.totSeatsInUse + this.totSeatsWaiting);
  }
}
