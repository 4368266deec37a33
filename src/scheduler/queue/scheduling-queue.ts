/**
 * The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go, v1.30–v1.32 with
 * SchedulerQueueingHints on): activeQ ordered by the QueueSort plugin, backoffQ ordered by
 * backoff expiry, the unschedulable pool, in-flight pods with the cluster events seen while they
 * were being scheduled, and the two flush loops (backoffQ every 1 s, leftover unschedulable pods
 * after 5 min, checked every 30 s). All times are virtual µs.
 */
import type { PodInfo } from "../cache/pod-info.js";
import type { Framework } from "../framework/framework.js";
import type { Status } from "../framework/status.js";
import type { ClusterEvent } from "./events.js";
import { IndexedHeap } from "./heap.js";

export const SECOND_US = 1_000_000;

const NO_PLUGINS: ReadonlySet<string> = new Set();

/** Where a queued pod currently is. */
export type QueueLocation = "active" | "backoff" | "unschedulable" | "inflight" | "gone";

/** `framework.QueuedPodInfo`. */
export class QueuedPod {
  heapIndex = -1;
  /** When the pod was (re)added to the queue (PrioritySort and backoff use it). */
  timestamp: number;
  initialAttemptTimestamp: number | undefined;
  attempts = 0;
  /** Plugins that rejected the pod in its last attempt (UnschedulablePlugins). */
  unschedulablePlugins: ReadonlySet<string> = NO_PLUGINS;
  /** Kept out of activeQ by a PreEnqueue plugin. */
  gated = false;
  gatingStatus: Status | undefined;
  where: QueueLocation = "gone";
  /** Tie-break among equal timestamps: order of (re)insertion. */
  seq = 0;
  /** Index in the in-flight event log when the pod was popped. */
  eventMark = 0;

  constructor(
    public info: PodInfo,
    readonly fw: Framework,
    now: number,
  ) {
    this.timestamp = now;
  }

  get priority(): number {
    return this.info.priority;
  }

  get key(): string {
    return this.info.key;
  }
}

type Strategy = "skip" | "afterBackoff";

export interface QueueOptions {
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  /** podMaxInUnschedulablePodsDuration (5 min). */
  maxUnschedulableUs?: number;
}

export class SchedulingQueue {
  private readonly active: IndexedHeap<QueuedPod>;
  private readonly backoff: IndexedHeap<QueuedPod>;
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly pods = new Map<string, QueuedPod>();
  private readonly inflight = new Map<string, QueuedPod>();
  /** Cluster events received while some pod was in flight. */
  private events: ClusterEvent[] = [];
  private eventBase = 0;
  private seq = 0;
  private readonly initialUs: number;
  private readonly maxUs: number;
  private readonly maxUnschedulableUs: number;
  /** Called when activeQ goes from empty to non-empty. */
  onActive: () => void = () => {};

  constructor(
    opts: QueueOptions,
    private readonly now: () => number,
  ) {
    this.initialUs = opts.podInitialBackoffSeconds * SECOND_US;
    this.maxUs = opts.podMaxBackoffSeconds * SECOND_US;
    this.maxUnschedulableUs = opts.maxUnschedulableUs ?? 5 * 60 * SECOND_US;
    this.active = new IndexedHeap<QueuedPod>((a, b) => a.fw.queueSort.less(a, b));
    this.backoff = new IndexedHeap<QueuedPod>((a, b) => {
      const ea = this.backoffExpiry(a);
      const eb = this.backoffExpiry(b);
      return ea !== eb ? ea < eb : a.seq < b.seq;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Sizes and lookups

  get activeCount(): number {
    return this.active.size;
  }

  get backoffCount(): number {
    return this.backoff.size;
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Pending pods the queue holds (every place, in flight included). */
  get size(): number {
    return this.pods.size;
  }

  get(key: string): QueuedPod | undefined {
    return this.pods.get(key);
  }

  // -------------------------------------------------------------------------------------------
  // Backoff

  /** calculateBackoffDuration: initial × 2^(attempts−1), capped; none before the first attempt. */
  backoffDuration(q: QueuedPod): number {
    if (q.attempts === 0) return 0;
    let d = this.initialUs;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.maxUs - d) return this.maxUs;
      d += d;
    }
    return d;
  }

  backoffExpiry(q: QueuedPod): number {
    return q.timestamp + this.backoffDuration(q);
  }

  isBackingOff(q: QueuedPod): boolean {
    return this.backoffExpiry(q) > this.now();
  }

  // -------------------------------------------------------------------------------------------
  // Moves

  private toActive(q: QueuedPod): void {
    // PreEnqueue runs whenever a pod would enter activeQ.
    const s = q.fw.runPreEnqueue(q.info);
    if (s !== undefined) {
      q.gated = true;
      q.gatingStatus = s;
      this.toUnschedulable(q);
      return;
    }
    q.gated = false;
    q.gatingStatus = undefined;
    this.detach(q);
    q.seq = ++this.seq;
    q.where = "active";
    const wasEmpty = this.active.size === 0;
    this.active.push(q);
    if (wasEmpty) this.onActive();
  }

  private toBackoff(q: QueuedPod): void {
    this.detach(q);
    q.seq = ++this.seq;
    q.where = "backoff";
    this.backoff.push(q);
  }

  private toUnschedulable(q: QueuedPod): void {
    this.detach(q);
    q.where = "unschedulable";
    this.unschedulable.set(q.key, q);
  }

  private detach(q: QueuedPod): void {
    if (q.where === "active") this.active.remove(q);
    else if (q.where === "backoff") this.backoff.remove(q);
    else if (q.where === "unschedulable") this.unschedulable.delete(q.key);
    q.where = "gone";
  }

  /** requeuePodViaQueueingHint. */
  private requeue(q: QueuedPod, strategy: Strategy): void {
    if (strategy === "skip") {
      this.toUnschedulable(q);
      return;
    }
    if (this.isBackingOff(q)) this.toBackoff(q);
    else this.toActive(q);
  }

  // -------------------------------------------------------------------------------------------
  // Informer-driven changes

  /** A new pending pod. */
  add(info: PodInfo, fw: Framework): void {
    if (this.pods.has(info.key)) {
      this.update(info);
      return;
    }
    const q = new QueuedPod(info, fw, this.now());
    this.pods.set(info.key, q);
    this.toActive(q);
  }

  /** A pending pod was updated. */
  update(info: PodInfo): void {
    const q = this.pods.get(info.key);
    if (q === undefined) return;
    const old = q.info;
    q.info = info;
    if (q.where === "inflight") {
      this.record({ kind: "UnscheduledPodUpdate", oldPod: old, pod: info });
      return;
    }
    if (q.where === "active") {
      this.active.fix(q);
      return;
    }
    if (q.where === "backoff") {
      this.backoff.fix(q);
      return;
    }
    if (q.where === "unschedulable") {
      if (q.gated) {
        this.toActive(q);
        return;
      }
      if (podUpdated(old, info)) {
        const strategy = this.worthRequeuing(q, { kind: "UnscheduledPodUpdate", oldPod: old, pod: info });
        if (strategy !== "skip") this.requeue(q, strategy);
      }
    }
  }

  /** A pending pod was deleted or got bound: it leaves the queue. */
  delete(key: string): void {
    const q = this.pods.get(key);
    if (q === undefined) return;
    this.detach(q);
    this.pods.delete(key);
    this.inflight.delete(key);
  }

  // -------------------------------------------------------------------------------------------
  // The scheduling loop's side

  /** Pop: the head of activeQ, now in flight (attempts+1, rejectors cleared). */
  pop(): QueuedPod | undefined {
    const q = this.active.pop();
    if (q === undefined) return undefined;
    q.where = "inflight";
    q.attempts++;
    q.initialAttemptTimestamp ??= this.now();
    q.unschedulablePlugins = NO_PLUGINS;
    q.eventMark = this.eventBase + this.events.length;
    this.inflight.set(q.key, q);
    return q;
  }

  /** The pod's attempt is over (success or failure handled): forget its in-flight events. */
  done(key: string): void {
    const q = this.pods.get(key);
    this.inflight.delete(key);
    if (q !== undefined && q.where === "inflight") {
      q.where = "gone";
      this.pods.delete(key);
    }
    this.pruneEvents();
  }

  /**
   * AddUnschedulableIfNotPresent: after a failed attempt. Events seen while the pod was in
   * flight decide whether it goes straight back (backoffQ/activeQ) or waits in the pool.
   */
  addUnschedulable(q: QueuedPod, rejectors: ReadonlySet<string>): void {
    if (!this.pods.has(q.key)) return; // deleted meanwhile
    this.inflight.delete(q.key);
    q.timestamp = this.now();
    q.unschedulablePlugins = new Set(rejectors);
    let strategy: Strategy = "skip";
    if (rejectors.size === 0) {
      strategy = "afterBackoff";
    } else {
      for (let i = q.eventMark - this.eventBase; i < this.events.length; i++) {
        if (this.worthRequeuing(q, this.events[i] as ClusterEvent) !== "skip") {
          strategy = "afterBackoff";
          break;
        }
      }
    }
    this.requeue(q, strategy);
    this.pruneEvents();
  }

  /** A pod whose binding failed comes back through the error path (no rejectors: after backoff). */
  requeueAfterError(q: QueuedPod): void {
    if (this.pods.has(q.key)) return;
    this.pods.set(q.key, q);
    q.where = "gone";
    q.timestamp = this.now();
    q.unschedulablePlugins = NO_PLUGINS;
    this.requeue(q, "afterBackoff");
  }

  /** isPodWorthRequeuing: does any rejecting plugin's hint say Queue for this event? */
  private worthRequeuing(q: QueuedPod, e: ClusterEvent): Strategy {
    if (e.kind === "UnschedulableTimeout") return "afterBackoff";
    if (q.unschedulablePlugins.size === 0) return "afterBackoff";
    for (const name of q.unschedulablePlugins) {
      const p = q.fw.plugins.get(name);
      if (p === undefined) continue;
      if (p.events === undefined) return "afterBackoff";
      for (const reg of p.events) {
        if (reg.event !== e.kind) continue;
        if ((reg.hint?.(q.info, e) ?? "Queue") === "Queue") return "afterBackoff";
      }
    }
    return "skip";
  }

  /** MoveAllToActiveOrBackoffQueue for a cluster event (gated pods are skipped). */
  moveAll(e: ClusterEvent, exclude?: string): void {
    const moving: QueuedPod[] = [];
    for (const q of this.unschedulable.values()) {
      if (q.gated || q.key === exclude) continue;
      if (this.worthRequeuing(q, e) !== "skip") moving.push(q);
    }
    for (const q of moving) this.requeue(q, "afterBackoff");
    this.record(e);
  }

  private record(e: ClusterEvent): void {
    if (this.inflight.size > 0) this.events.push(e);
  }

  private pruneEvents(): void {
    if (this.inflight.size === 0) {
      this.eventBase += this.events.length;
      this.events = [];
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    for (const q of this.inflight.values()) if (q.eventMark < min) min = q.eventMark;
    const drop = min - this.eventBase;
    if (drop > 1024 && drop > this.events.length / 2) {
      this.events = this.events.slice(drop);
      this.eventBase = min;
    }
  }

  /** Activate: move the named pods to activeQ (e.g. after preemption errors). */
  activate(keys: readonly string[]): void {
    for (const k of keys) {
      const q = this.pods.get(k);
      if (q !== undefined && (q.where === "unschedulable" || q.where === "backoff")) this.toActive(q);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Flush loops

  /** flushBackoffQCompleted: pods whose backoff expired move to activeQ. */
  flushBackoff(): void {
    const now = this.now();
    for (;;) {
      const q = this.backoff.peek();
      if (q === undefined || this.backoffExpiry(q) > now) break;
      this.backoff.pop();
      q.where = "gone";
      this.toActive(q);
    }
  }

  /** flushUnschedulablePodsLeftover: pods waiting longer than 5 min are moved. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    const moving: QueuedPod[] = [];
    for (const q of this.unschedulable.values()) {
      if (!q.gated && now - q.timestamp > this.maxUnschedulableUs) moving.push(q);
    }
    for (const q of moving) this.requeue(q, "afterBackoff");
  }
}

/** isPodUpdated: anything but status and resourceVersion changed. */
function podUpdated(a: PodInfo, b: PodInfo): boolean {
  const strip = (p: PodInfo) =>
    JSON.stringify({ ...p.pod, status: undefined, metadata: { ...p.pod.metadata, resourceVersion: undefined } });
  return strip(a) !== strip(b);
}
