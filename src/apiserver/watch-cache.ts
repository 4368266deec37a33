import { type FieldMatcher, fieldValue } from "../api/field-selector.js";
import { EVERYTHING, type LabelMatcher } from "../api/labels.js";
import type { KubeObject } from "../api/types/index.js";
import type { Rng } from "../engine/rng.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import { prefixEnd } from "../store/bytes.js";
import type { EtcdCluster } from "../store/cluster/etcd-cluster.js";
import type { WatchEvent as EtcdEvent, WatchResponse } from "../store/types.js";
import type { WatchStream } from "../store/watch/stream.js";
import { objectSize } from "./object-codec.js";
import { ApiError, Status } from "./status.js";
import { type ResourceStorage, rvOf } from "./storage.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** A watch event as a client receives it. */
export interface ApiWatchEvent {
  type: WatchEventType;
  object: KubeObject;
  /** Resource version of the event (the object's, or the bookmark's). */
  rv: number;
  /** Virtual time the change was committed in etcd (for watch latency); 0 for bookmarks and replays. */
  committedAt: number;
}

/** Options of a client watch served by the cache. */
export interface CacheWatchOptions {
  /** Start after this RV; 0 = send the current state as ADDED first ("any"). */
  resourceVersion: number;
  namespace?: string;
  labels?: LabelMatcher;
  fields?: FieldMatcher;
  allowBookmarks?: boolean;
}

/** Work the cache asks of its apiserver's CPU pool. */
export interface CpuPool {
  run(costUs: number, then: () => void): void;
}

export interface WatchCacheCosts {
  /** Encoding one event once for all watchers (cachingObject), µs per KiB of object. */
  encodePerKiBUs: number;
  /** Handing one event to one watcher (filter + send), µs. */
  perWatcherUs: number;
}

/** A client's watch on the cache. */
export class CacheWatcher {
  readonly id: number;
  readonly namespace: string | undefined;
  readonly labels: LabelMatcher;
  readonly fields: FieldMatcher | undefined;
  /** Exact name from a metadata.name field selector, if any. */
  readonly name: string | undefined;
  /** Value of the trigger field (pods: spec.nodeName), if the selector pins it. */
  readonly trigger: string | undefined;
  readonly bookmarks: boolean;
  startRv: number;
  /** Events sent but not yet acknowledged by the consumer. */
  inflight = 0;
  readonly capacity: number;
  nextBookmark: number;
  closed = false;
  readonly sink: (ev: ApiWatchEvent) => void;
  readonly onClose: (reason: ApiError | undefined) => void;
  private overflowCheck = false;

  constructor(
    id: number,
    opts: CacheWatchOptions,
    trigger: string | undefined,
    capacity: number,
    sink: (ev: ApiWatchEvent) => void,
    onClose: (reason: ApiError | undefined) => void,
    now: number,
  ) {
    this.id = id;
    this.namespace = opts.namespace;
    this.labels = opts.labels ?? EVERYTHING;
    this.fields = opts.fields;
    this.name = opts.fields?.requiredValue("metadata.name");
    this.trigger = trigger;
    this.bookmarks = opts.allowBookmarks === true;
    this.startRv = opts.resourceVersion;
    this.capacity = capacity;
    this.nextBookmark = now + BOOKMARK_FREQUENCY_US;
    this.sink = sink;
    this.onClose = onClose;
  }

  matches(obj: KubeObject): boolean {
    if (this.namespace !== undefined && obj.metadata.namespace !== this.namespace) return false;
    return this.labels.matches(obj.metadata.labels ?? {}) && (this.fields === undefined || this.fields.matches(obj));
  }

  /** The consumer processed one event. */
  ack(): void {
    if (this.inflight > 0) this.inflight--;
  }

  /** True if the buffer is full (the consumer is too slow). */
  get full(): boolean {
    return this.inflight >= this.capacity;
  }

  /** Marks that an overflow check is pending; false if one already is. */
  armOverflowCheck(): boolean {
    if (this.overflowCheck) return false;
    this.overflowCheck = true;
    return true;
  }

  disarmOverflowCheck(): void {
    this.overflowCheck = false;
  }
}

/** Bookmarks are sent to a watcher about once a minute (defaultBookmarkFrequency, etcd.md §12). */
const BOOKMARK_FREQUENCY_US = 60_000_000;
/** The cache's event window keeps events fresher than this (eventFreshDuration, k8s-timing §1.5). */
const EVENT_FRESH_US = 75_000_000;
const LOWER_CAPACITY = 100;
const UPPER_CAPACITY = 102_400;
/** How long a request for an RV newer than the cache waits (blockTimeout). */
const BLOCK_TIMEOUT_US = 3_000_000;
/** How long dispatch may block on a full watcher before terminating it (time budget cap). */
const SLOW_WATCHER_BUDGET_US = 100_000;
/** Objects per page of the cache's initial list from etcd. */
const LIST_PAGE = 10_000;

interface Stored {
  obj: KubeObject;
  ns: string;
  trigger: string | undefined;
}

/**
 * kube-apiserver's watch cache for one resource on one apiserver (Cacher + watchCache): it
 * lists from etcd, then keeps one etcd watch on the resource prefix; it holds the current
 * objects, a window of recent events sized between 100 and 102,400 to keep 75 s of history,
 * and fans each event out to client watches found through indexes (namespace, name, and a
 * trigger field such as pods' spec.nodeName), so an event costs in proportion to the watchers
 * it may concern, not to all of them.
 */
export class WatchCache {
  readonly storage: ResourceStorage;
  private readonly sim: Simulation;
  private readonly etcd: EtcdCluster<KubeObject>;
  private readonly client: number;
  private readonly cpu: CpuPool;
  private readonly costs: WatchCacheCosts;
  private readonly triggerField: string | undefined;
  private readonly rng: Rng;
  /** Current objects by etcd key. */
  private readonly objects = new Map<string, Stored>();
  private readonly byNamespace = new Map<string, Set<string>>();
  // Event window (ring of capacity `cap`).
  private ring: (ApiWatchEvent | undefined)[] = new Array(LOWER_CAPACITY);
  /** When each event in the ring was recorded (µs), parallel to it. */
  private times = new Float64Array(LOWER_CAPACITY);
  private cap = LOWER_CAPACITY;
  private head = 0;
  private size = 0;
  /** Revision of the initial list; the oldest RV a watch may start from when the window is empty. */
  private listRv = 0;
  /** The cache is consistent up to this revision. */
  rv = 0;
  ready = false;
  private readyWaiters: (() => void)[] = [];
  private rvWaiters: { rv: number; run: () => void }[] = [];
  // Client watchers and their indexes.
  private nextId = 1;
  private readonly all = new Set<CacheWatcher>();
  private readonly unscoped = new Set<CacheWatcher>();
  private readonly nsWatchers = new Map<string, Set<CacheWatcher>>();
  private readonly triggerWatchers = new Map<string, Set<CacheWatcher>>();
  private readonly nameWatchers = new Map<string, Set<CacheWatcher>>();
  private etcdStream: WatchStream<KubeObject> | undefined;
  private bookmarkTimer: PeriodicTimer | undefined;
  private stopped = false;
  /** Counters. */
  readonly stats = { events: 0, candidates: 0, dispatched: 0, terminatedSlow: 0, relists: 0, tooOld: 0 };

  constructor(
    sim: Simulation,
    storage: ResourceStorage,
    etcd: EtcdCluster<KubeObject>,
    client: number,
    cpu: CpuPool,
    costs: WatchCacheCosts,
    rng: Rng,
  ) {
    this.sim = sim;
    this.storage = storage;
    this.etcd = etcd;
    this.client = client;
    this.cpu = cpu;
    this.costs = costs;
    this.rng = rng;
    // The watch cache indexes pods by node for kubelets' watches (pod registry's trigger func).
    this.triggerField = storage.info.kind === "Pod" ? "spec.nodeName" : undefined;
  }

  /** Lists from etcd and starts watching; requests wait until the cache is ready. */
  start(): void {
    this.stopped = false;
    this.relist();
    // Bookmarks: checked about every second with ±25% jitter (cacher's bookmark timer).
    this.bookmarkTimer = new PeriodicTimer(
      this.sim,
      { period: 1_000_000, jitterFactor: 0.25, rng: this.rng, immediate: false },
      () => this.sendBookmarks(),
    ).start();
  }

  /** Stops the cache (apiserver shutdown): every client watch is closed. */
  stop(): void {
    this.stopped = true;
    this.ready = false;
    this.bookmarkTimer?.stop();
    this.etcdStream?.close();
    this.etcdStream = undefined;
    for (const w of [...this.all]) this.close(w, undefined);
  }

  /** Runs `then` once the cache is ready (immediately if it is). */
  whenReady(then: () => void): void {
    if (this.ready) then();
    else this.readyWaiters.push(then);
  }

  /**
   * Runs `then` once the cache has seen revision `rv`, or fails after 3 s with "Too large
   * resource version" and Retry-After 1 (etcd.md §12).
   */
  waitForRv(rv: number, then: () => void, fail: (e: ApiError) => void): void {
    if (this.rv >= rv) {
      then();
      return;
    }
    let settled = false;
    const entry = {
      rv,
      run: () => {
        if (settled) return;
        settled = true;
        then();
      },
    };
    this.rvWaiters.push(entry);
    this.requestProgress();
    this.sim.after(BLOCK_TIMEOUT_US, () => {
      if (settled) return;
      settled = true;
      this.rvWaiters = this.rvWaiters.filter((w) => w !== entry);
      fail(Status.timeout(`Too large resource version: ${rv}, current: ${this.rv}`, 1));
    });
  }

  /** The cached object, if any. */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(this.storage.key(namespace, name))?.obj;
  }

  /** Objects matching a namespace and selectors, in key order; `scanned` counts objects examined. */
  list(
    namespace: string | undefined,
    labels?: LabelMatcher,
    fields?: FieldMatcher,
  ): { items: KubeObject[]; scanned: number } {
    const keys =
      namespace !== undefined && this.storage.info.namespaced
        ? [...(this.byNamespace.get(namespace) ?? [])]
        : [...this.objects.keys()];
    keys.sort();
    const items: KubeObject[] = [];
    for (const k of keys) {
      const obj = (this.objects.get(k) as Stored).obj;
      if (labels !== undefined && !labels.matches(obj.metadata.labels ?? {})) continue;
      if (fields !== undefined && !fields.matches(obj)) continue;
      items.push(obj);
    }
    return { items, scanned: keys.length };
  }

  /** Number of cached objects (a LIST's size estimate for flow control). */
  get count(): number {
    return this.objects.size;
  }

  /** Number of client watches (for the mutating work estimate). */
  get watcherCount(): number {
    return this.all.size;
  }

  /**
   * Starts a client watch. RV 0 sends the current state first; an RV older than the event
   * window gives 410 "too old resource version"; a newer one than the cache waits up to 3 s.
   */
  watch(
    opts: CacheWatchOptions,
    sink: (ev: ApiWatchEvent) => void,
    onClose: (reason: ApiError | undefined) => void,
  ): { stop: () => void; watcher: CacheWatcher } | ApiError {
    const oldest = this.size > 0 ? (this.at(0) as ApiWatchEvent).rv : this.listRv;
    if (opts.resourceVersion !== 0 && opts.resourceVersion < oldest - 1) {
      this.stats.tooOld++;
      return Status.gone(`too old resource version: ${opts.resourceVersion} (${oldest - 1})`);
    }
    const trigger = this.triggerField === undefined ? undefined : opts.fields?.requiredValue(this.triggerField);
    const capacity = this.channelSize(opts, trigger);
    const w = new CacheWatcher(this.nextId++, opts, trigger, capacity, sink, onClose, this.sim.now);
    this.register(w);
    const deliver = (ev: ApiWatchEvent) => this.send(w, ev);
    if (opts.resourceVersion === 0) {
      w.startRv = this.rv;
      for (const s of this.sortedObjects()) {
        if (w.matches(s.obj)) deliver({ type: "ADDED", object: s.obj, rv: rvOf(s.obj), committedAt: 0 });
      }
    } else {
      for (let i = 0; i < this.size; i++) {
        const ev = this.at(i) as ApiWatchEvent;
        if (ev.rv > opts.resourceVersion) this.dispatchTo(w, ev);
      }
      w.startRv = Math.max(opts.resourceVersion, this.rv);
    }
    return { stop: () => this.close(w, undefined), watcher: w };
  }

  // ---------------------------------------------------------------- etcd side

  private relist(): void {
    if (this.stopped) return;
    this.stats.relists++;
    this.ready = false;
    const fresh = new Map<string, Stored>();
    const page = (cont: string, rev: number) => {
      this.storage.listPage(undefined, LIST_PAGE, cont, rev, (r) => {
        if (this.stopped) return;
        if (r instanceof ApiError) {
          // etcd unavailable: retry after a second, as the reflector backs off.
          this.sim.after(1_000_000, () => this.relist());
          return;
        }
        for (const obj of r.items)
          fresh.set(this.storage.key(obj.metadata.namespace, obj.metadata.name as string), this.entry(obj));
        if (r.continue !== "") page(r.continue, r.resourceVersion);
        else this.replace(fresh, r.resourceVersion);
      });
    };
    page("", 0);
  }

  private replace(fresh: Map<string, Stored>, rv: number): void {
    this.objects.clear();
    this.byNamespace.clear();
    for (const [k, s] of fresh) this.put(k, s);
    this.listRv = rv;
    this.rv = rv;
    this.ring = new Array(LOWER_CAPACITY);
    this.times = new Float64Array(LOWER_CAPACITY);
    this.cap = LOWER_CAPACITY;
    this.head = 0;
    this.size = 0;
    // After a relist every client watch is stale: close them so they re-watch or relist.
    for (const w of [...this.all]) this.close(w, undefined);
    this.watchEtcd(rv + 1);
    this.ready = true;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const f of waiters) f();
    this.releaseRvWaiters();
  }

  private watchEtcd(from: number): void {
    this.etcdStream?.close();
    const prefix = this.storage.listPrefix();
    const stream = this.etcd.openWatchStream(
      this.client,
      (resp) => this.onEtcd(resp),
      () => {
        // The etcd member went away: re-watch from where the cache is, after a short backoff.
        if (!this.stopped) this.sim.after(1_000_000, () => this.watchEtcd(this.rv + 1));
      },
    );
    stream.watch({ key: prefix, rangeEnd: prefixEnd(prefix), startRevision: from, prevKv: true, progressNotify: true });
    this.etcdStream = stream;
  }

  private onEtcd(resp: WatchResponse<KubeObject>): void {
    if (this.stopped) return;
    if (resp.canceled && resp.compactRevision !== undefined) {
      // The cache fell behind compaction: relist (every client watch is closed).
      this.relist();
      return;
    }
    if (resp.events.length === 0) {
      // Progress notification: the cache is current up to this revision.
      if (resp.header.revision > this.rv) {
        this.rv = resp.header.revision;
        this.releaseRvWaiters();
      }
      return;
    }
    for (const e of resp.events) this.apply(e);
  }

  private apply(e: EtcdEvent<KubeObject>): void {
    const rv = e.kv.modRevision;
    const key = e.kv.key;
    const prev = this.objects.get(key);
    let ev: ApiWatchEvent;
    const committedAt = this.etcd.commitTime(rv);
    if (e.type === "DELETE") {
      const old = e.prevKv?.value ?? prev?.obj;
      if (old === undefined) return;
      // A DELETED event carries the last state with the deletion's resourceVersion.
      const obj = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } } as KubeObject;
      this.remove(key);
      ev = { type: "DELETED", object: obj, rv, committedAt };
    } else {
      this.put(key, this.entry(e.kv.value));
      ev = {
        type: e.kv.createRevision === e.kv.modRevision ? "ADDED" : "MODIFIED",
        object: e.kv.value,
        rv,
        committedAt,
      };
    }
    this.rv = rv;
    this.stats.events++;
    this.record(ev);
    this.fanOut(ev, prev?.obj);
    this.releaseRvWaiters();
  }

  private entry(obj: KubeObject): Stored {
    return {
      obj,
      ns: obj.metadata.namespace ?? "",
      trigger: this.triggerField === undefined ? undefined : fieldValue(obj, this.triggerField),
    };
  }

  private put(key: string, s: Stored): void {
    this.objects.set(key, s);
    let set = this.byNamespace.get(s.ns);
    if (set === undefined) {
      set = new Set();
      this.byNamespace.set(s.ns, set);
    }
    set.add(key);
  }

  private remove(key: string): void {
    const s = this.objects.get(key);
    if (s === undefined) return;
    this.objects.delete(key);
    this.byNamespace.get(s.ns)?.delete(key);
  }

  // ---------------------------------------------------------------- event window

  private at(i: number): ApiWatchEvent | undefined {
    return this.ring[(this.head + i) % this.cap];
  }

  // watchCache.resizeCacheLocked: double while full and the oldest event is fresh; halve when
  // full and the newest quarter is already stale.
  private timeAt(i: number): number {
    return this.times[(this.head + i) % this.cap] as number;
  }

  private record(ev: ApiWatchEvent): void {
    const now = this.sim.now;
    if (this.size === this.cap) {
      if (now - this.timeAt(0) < EVENT_FRESH_US && this.cap < UPPER_CAPACITY) {
        this.resize(Math.min(this.cap * 2, UPPER_CAPACITY));
      } else if (
        now - this.timeAt(this.size - Math.floor(this.cap / 4)) > EVENT_FRESH_US &&
        this.cap > LOWER_CAPACITY
      ) {
        this.resize(Math.max(this.cap / 2, LOWER_CAPACITY));
      }
    }
    if (this.size === this.cap) {
      this.head = (this.head + 1) % this.cap;
      this.size--;
    }
    const slot = (this.head + this.size) % this.cap;
    this.ring[slot] = ev;
    this.times[slot] = now;
    this.size++;
  }

  private resize(cap: number): void {
    const keep = Math.min(this.size, cap);
    const next: (ApiWatchEvent | undefined)[] = new Array(cap);
    const times = new Float64Array(cap);
    for (let i = 0; i < keep; i++) {
      next[i] = this.at(this.size - keep + i);
      times[i] = this.timeAt(this.size - keep + i);
    }
    this.ring = next;
    this.times = times;
    this.cap = cap;
    this.head = 0;
    this.size = keep;
  }

  /** Current capacity of the event window. */
  get windowCapacity(): number {
    return this.cap;
  }

  // ---------------------------------------------------------------- dispatch

  // Candidate watchers come from indexes; each decides with its own selectors, turning
  // selector transitions into ADDED/DELETED as cacheWatcher.convertToWatchEvent does.
  private fanOut(ev: ApiWatchEvent, prev: KubeObject | undefined): void {
    const candidates = new Set<CacheWatcher>(this.unscoped);
    const add = (set: Set<CacheWatcher> | undefined) => {
      if (set !== undefined) for (const w of set) candidates.add(w);
    };
    const ns = ev.object.metadata.namespace ?? "";
    add(this.nsWatchers.get(ns));
    add(this.nameWatchers.get(`${ns}/${ev.object.metadata.name}`));
    if (this.triggerField !== undefined) {
      add(this.triggerWatchers.get(fieldValue(ev.object, this.triggerField) ?? ""));
      if (prev !== undefined) add(this.triggerWatchers.get(fieldValue(prev, this.triggerField) ?? ""));
    }
    if (candidates.size === 0) return;
    this.stats.candidates += candidates.size;
    const kib = objectSize(ev.object) / 1024;
    const cost = Math.round(this.costs.encodePerKiBUs * kib + this.costs.perWatcherUs * candidates.size);
    const list = [...candidates].sort((a, b) => a.id - b.id);
    this.cpu.run(cost, () => {
      for (const w of list) if (!w.closed) this.dispatchTo(w, ev, prev);
    });
  }

  private dispatchTo(w: CacheWatcher, ev: ApiWatchEvent, prev?: KubeObject): void {
    if (ev.rv <= w.startRv) return;
    const now = w.matches(ev.object);
    if (ev.type === "ADDED") {
      if (now) this.send(w, ev);
      return;
    }
    if (ev.type === "DELETED") {
      if (now) this.send(w, ev);
      return;
    }
    const was = prev !== undefined && w.matches(prev);
    if (now && was) this.send(w, ev);
    else if (now) this.send(w, { ...ev, type: "ADDED" });
    else if (was) {
      const obj = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(ev.rv) } } as KubeObject;
      this.send(w, { ...ev, type: "DELETED", object: obj });
    }
  }

  private send(w: CacheWatcher, ev: ApiWatchEvent): void {
    if (w.closed) return;
    w.inflight++;
    this.stats.dispatched++;
    w.sink(ev);
    if (w.full && w.armOverflowCheck()) {
      // A watcher whose buffer stays full past the dispatch time budget is terminated
      // ("forcing watcher close due to unresponsiveness"); the client re-watches.
      this.sim.after(SLOW_WATCHER_BUDGET_US, () => {
        w.disarmOverflowCheck();
        if (!w.closed && w.full) {
          this.stats.terminatedSlow++;
          this.close(w, undefined);
        }
      });
    }
  }

  private sendBookmarks(): undefined {
    const now = this.sim.now;
    for (const w of this.all) {
      if (!w.bookmarks || w.nextBookmark > now || w.full) continue;
      w.nextBookmark = now + BOOKMARK_FREQUENCY_US;
      const obj = {
        apiVersion: this.storage.info.apiVersion,
        kind: this.storage.info.kind,
        metadata: { resourceVersion: String(this.rv) },
      } as KubeObject;
      this.send(w, { type: "BOOKMARK", object: obj, rv: this.rv, committedAt: 0 });
    }
    return undefined;
  }

  // cacher's channel size: ceil(capacity / 75 s) clamped to [10, 10] for trigger-indexed
  // watchers, [10, 1000] for otherwise indexed ones, [10, 100] for unindexed (etcd.md §12).
  private channelSize(opts: CacheWatchOptions, trigger: string | undefined): number {
    const base = Math.ceil(this.cap / 75);
    const indexed = opts.namespace !== undefined || opts.fields?.requiredValue("metadata.name") !== undefined;
    const max = trigger !== undefined ? 10 : indexed ? 1000 : 100;
    return Math.min(max, Math.max(10, base));
  }

  private register(w: CacheWatcher): void {
    this.all.add(w);
    const set = this.indexFor(w, true) as Set<CacheWatcher>;
    set.add(w);
  }

  private indexFor(w: CacheWatcher, create: boolean): Set<CacheWatcher> | undefined {
    let map: Map<string, Set<CacheWatcher>> | undefined;
    let key = "";
    if (w.trigger !== undefined) {
      map = this.triggerWatchers;
      key = w.trigger;
    } else if (w.name !== undefined && w.namespace !== undefined) {
      map = this.nameWatchers;
      key = `${w.namespace}/${w.name}`;
    } else if (w.namespace !== undefined) {
      map = this.nsWatchers;
      key = w.namespace;
    } else return this.unscoped;
    let set = map.get(key);
    if (set === undefined && create) {
      set = new Set();
      map.set(key, set);
    }
    return set;
  }

  private close(w: CacheWatcher, reason: ApiError | undefined): void {
    if (w.closed) return;
    w.closed = true;
    this.all.delete(w);
    this.indexFor(w, false)?.delete(w);
    w.onClose(reason);
  }

  // While reads wait for a revision, ask etcd for watch progress every 100 ms: a progress
  // response moves an idle cache to etcd's current revision (cacher's progressRequester, used by
  // consistent reads from cache).
  private progressPending = false;

  private requestProgress(): void {
    if (this.progressPending || this.etcdStream === undefined) return;
    this.progressPending = true;
    this.etcdStream.requestProgress();
    this.sim.after(100_000, () => {
      this.progressPending = false;
      if (this.rvWaiters.length > 0) this.requestProgress();
    });
  }

  private releaseRvWaiters(): void {
    if (this.rvWaiters.length === 0) return;
    const ready = this.rvWaiters.filter((x) => x.rv <= this.rv);
    this.rvWaiters = this.rvWaiters.filter((x) => x.rv > this.rv);
    for (const x of ready) x.run();
  }

  private sortedObjects(): Stored[] {
    return [...this.objects.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }
}
