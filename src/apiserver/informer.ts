import type { KubeObject } from "../api/types/index.js";
import type { Distribution } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import type { ApiMetrics } from "../metrics/api-metrics.js";
import type { Client, ClientWatch } from "./client.js";
import { ApiError } from "./status.js";
import { rvOf } from "./storage.js";
import type { ApiWatchEvent } from "./watch-cache.js";

/** What an informer tells its handlers (cache.ResourceEventHandler). */
export interface EventHandlers {
  onAdd?(obj: KubeObject, isInitialList: boolean): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Periodic resync: every object is re-delivered as an update (0 = off). */
  resyncPeriodUs?: number;
  /** Time the handlers take per event (the informer processes events one at a time). */
  handlerCost?: Distribution;
  /** Extra indexes: name -> function from an object to its index values. */
  indexers?: Record<string, (obj: KubeObject) => string[]>;
  /** Where to record watch delivery latency (etcd commit -> handler). */
  metrics?: ApiMetrics;
}

/** client-go reflector's minimum watch timeout; each watch asks for a random value in [5, 10) min. */
const MIN_WATCH_TIMEOUT_S = 300;
const BACKOFF_INITIAL_US = 800_000;
const BACKOFF_MAX_US = 30_000_000;

type Item =
  | { kind: "event"; ev: ApiWatchEvent; ack: () => void }
  | { kind: "replace"; items: KubeObject[] }
  | { kind: "resync" };

/**
 * A shared informer (client-go Reflector + DeltaFIFO + Indexer): list, then watch from the
 * list's resourceVersion with bookmarks; keep a local indexed store; call handlers one event at
 * a time; re-watch when a watch ends; relist from etcd (RV "") after 410 Expired; back off on
 * errors; resync on a period.
 */
export class Informer {
  readonly resource: string;
  private readonly client: Client;
  private readonly sim: Simulation;
  private readonly opts: InformerOptions;
  private readonly rng: Rng;
  private readonly handlers: EventHandlers[] = [];
  private readonly store = new Map<string, KubeObject>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private rv = "0";
  private watchHandle: ClientWatch | undefined;
  private running = false;
  private synced = false;
  private backoff = BACKOFF_INITIAL_US;
  private readonly queue: Item[] = [];
  private busy = false;
  private resync: PeriodicTimer | undefined;
  /** Lists, relists after 410, watches opened, and events handled. */
  readonly stats = { lists: 0, expired: 0, watches: 0, events: 0, errors: 0 };

  constructor(client: Client, sim: Simulation, resource: string, options: InformerOptions = {}) {
    this.client = client;
    this.sim = sim;
    this.resource = resource;
    this.opts = options;
    this.rng = sim.rng(`informer/${client.name}/${resource}`);
    for (const name of Object.keys(options.indexers ?? {})) this.indexes.set(name, new Map());
  }

  /** Adds handlers (before start: they see the initial list as adds). */
  addEventHandler(h: EventHandlers): void {
    this.handlers.push(h);
  }

  /** Starts list-and-watch. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.listObjects();
    const period = this.opts.resyncPeriodUs ?? 0;
    if (period > 0) {
      this.resync = new PeriodicTimer(this.sim, { period, immediate: false }, () => {
        this.enqueue({ kind: "resync" });
        return undefined;
      }).start();
    }
  }

  /** Stops watching. */
  stop(): void {
    this.running = false;
    this.watchHandle?.stop();
    this.resync?.stop();
  }

  /** True once the first list has been delivered to the handlers. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the informer is synced to. */
  get lastSyncResourceVersion(): string {
    return this.rv;
  }

  /** Objects in the local store, in key order. */
  list(): KubeObject[] {
    return [...this.store.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
  }

  /** One object from the local store. */
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(keyOf(namespace, name));
  }

  /** Objects whose index `name` has `value`. */
  byIndex(name: string, value: string): KubeObject[] {
    const keys = this.indexes.get(name)?.get(value);
    return keys === undefined ? [] : [...keys].sort().map((k) => this.store.get(k) as KubeObject);
  }

  /** Number of objects held. */
  get size(): number {
    return this.store.size;
  }

  // ---------------------------------------------------------------- reflector

  private listObjects(): void {
    if (!this.running) return;
    this.stats.lists++;
    this.client.list(
      this.resource,
      {
        resourceVersion: this.rv,
        ...(this.opts.namespace === undefined ? {} : { namespace: this.opts.namespace }),
        ...(this.opts.labelSelector === undefined ? {} : { labelSelector: this.opts.labelSelector }),
        ...(this.opts.fieldSelector === undefined ? {} : { fieldSelector: this.opts.fieldSelector }),
      },
      (r) => {
        if (!this.running) return;
        if (r instanceof ApiError) {
          this.stats.errors++;
          if (r.code === 410) this.rv = "";
          this.retryLater(() => this.listObjects());
          return;
        }
        this.backoff = BACKOFF_INITIAL_US;
        this.rv = String(r.resourceVersion ?? 0);
        this.enqueue({ kind: "replace", items: r.items ?? [] });
        this.watch();
      },
    );
  }

  private watch(): void {
    if (!this.running) return;
    this.stats.watches++;
    const timeoutSeconds = Math.floor(MIN_WATCH_TIMEOUT_S * (1 + this.rng.next()));
    this.watchHandle = this.client.watch(
      this.resource,
      {
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds,
        ...(this.opts.namespace === undefined ? {} : { namespace: this.opts.namespace }),
        ...(this.opts.labelSelector === undefined ? {} : { labelSelector: this.opts.labelSelector }),
        ...(this.opts.fieldSelector === undefined ? {} : { fieldSelector: this.opts.fieldSelector }),
      },
      (ev, ack) => {
        // The watch's RV moves as events arrive (bookmarks included), so a re-watch resumes.
        this.rv = String(ev.rv);
        if (ev.type === "BOOKMARK") ack();
        else this.enqueue({ kind: "event", ev, ack });
      },
      (err) => {
        if (!this.running) return;
        if (err === undefined) return this.watch();
        this.stats.errors++;
        if (err.code === 410) {
          // Our RV fell out of the cache's window: relist, consistently from etcd.
          this.stats.expired++;
          this.rv = "";
          this.listObjects();
          return;
        }
        this.retryLater(() => this.watch());
      },
    );
  }

  private retryLater(f: () => void): void {
    const wait = this.backoff;
    this.backoff = Math.min(BACKOFF_MAX_US, this.backoff * 2);
    this.sim.after(wait, f);
  }

  // ---------------------------------------------------------------- processing

  private enqueue(item: Item): void {
    this.queue.push(item);
    if (!this.busy) this.next();
  }

  private next(): void {
    const item = this.queue.shift();
    if (item === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    const cost = this.opts.handlerCost?.sampleInt(this.rng) ?? 0;
    const run = () => {
      this.process(item);
      this.next();
    };
    if (cost > 0) this.sim.after(cost, run);
    else run();
  }

  private process(item: Item): void {
    if (item.kind === "resync") {
      for (const obj of this.list()) for (const h of this.handlers) h.onUpdate?.(obj, obj);
      return;
    }
    if (item.kind === "replace") {
      const initial = !this.synced;
      const seen = new Set<string>();
      for (const obj of item.items) {
        const key = keyOf(obj.metadata.namespace, obj.metadata.name as string);
        seen.add(key);
        const old = this.store.get(key);
        this.put(key, obj);
        for (const h of this.handlers) {
          if (old === undefined) h.onAdd?.(obj, initial);
          else if (rvOf(old) !== rvOf(obj)) h.onUpdate?.(old, obj);
        }
      }
      for (const [key, old] of [...this.store.entries()]) {
        if (seen.has(key)) continue;
        this.remove(key);
        for (const h of this.handlers) h.onDelete?.(old);
      }
      this.synced = true;
      return;
    }
    const { ev, ack } = item;
    const key = keyOf(ev.object.metadata.namespace, ev.object.metadata.name as string);
    this.stats.events++;
    if (ev.committedAt > 0) this.opts.metrics?.recordWatch(this.resource, this.sim.now - ev.committedAt);
    const old = this.store.get(key);
    if (ev.type === "DELETED") {
      this.remove(key);
      for (const h of this.handlers) h.onDelete?.(ev.object);
    } else {
      this.put(key, ev.object);
      for (const h of this.handlers) {
        if (old === undefined) h.onAdd?.(ev.object, false);
        else h.onUpdate?.(old, ev.object);
      }
    }
    ack();
  }

  private put(key: string, obj: KubeObject): void {
    const old = this.store.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.store.set(key, obj);
    for (const [name, fn] of Object.entries(this.opts.indexers ?? {})) {
      const idx = this.indexes.get(name) as Map<string, Set<string>>;
      for (const v of fn(obj)) {
        let set = idx.get(v);
        if (set === undefined) {
          set = new Set();
          idx.set(v, set);
        }
        set.add(key);
      }
    }
  }

  private remove(key: string): void {
    const old = this.store.get(key);
    if (old === undefined) return;
    this.unindex(key, old);
    this.store.delete(key);
  }

  private unindex(key: string, obj: KubeObject): void {
    for (const [name, fn] of Object.entries(this.opts.indexers ?? {})) {
      const idx = this.indexes.get(name) as Map<string, Set<string>>;
      for (const v of fn(obj)) idx.get(v)?.delete(key);
    }
  }
}

function keyOf(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === "" ? name : `${namespace}/${name}`;
}
