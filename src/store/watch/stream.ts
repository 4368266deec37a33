import type { Rec } from "../key-index.js";
import type { ResponseHeader, WatchCreateRequest, WatchEvent, WatchResponse } from "../types.js";
import type { WatchHub } from "./hub.js";
import type { Watcher } from "./watcher.js";

export interface StreamOptions {
  /**
   * Responses the consumer may have outstanding before sends fail and watchers become victims
   * (etcd's per-stream channel buffer, chanBufLen = 128).
   */
  capacity?: number;
  /**
   * true (default): every response counts as consumed once the sink returns. false: the
   * consumer calls `ack()` per response it has processed, so a slow consumer exerts back
   * pressure the way a slow gRPC client does.
   */
  autoAck?: boolean;
}

/**
 * A watch stream: many watchers sharing one response channel (one gRPC Watch stream in etcd).
 * Watch IDs are per stream and auto IDs count up from 0.
 */
export class WatchStream<V = string> {
  private readonly hub: WatchHub<V>;
  private readonly sink: (resp: WatchResponse<V>) => void;
  private readonly capacity: number;
  private readonly autoAck: boolean;
  private inflight = 0;
  private nextId = 0;
  readonly watchers = new Map<number, Watcher<V>>();
  private deferredProgress = false;
  closed = false;

  constructor(hub: WatchHub<V>, sink: (resp: WatchResponse<V>) => void, options: StreamOptions = {}) {
    this.hub = hub;
    this.sink = sink;
    this.capacity = options.capacity ?? 128;
    this.autoAck = options.autoAck ?? true;
  }

  /** Creates a watch; the `created` response (or a created+canceled refusal) is sent at once. Returns the id, or -1. */
  watch(req: WatchCreateRequest): number {
    if (this.closed) return -1;
    const header = this.hub.store.header();
    let id = req.watchId ?? 0;
    const refuse = (reason: string) => {
      this.control({ header, watchId: -1, created: true, canceled: true, cancelReason: reason, events: [] });
      return -1;
    };
    if (id === 0) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else if (this.watchers.has(id)) {
      return refuse("mvcc: duplicate watch ID provided");
    }
    const w = this.hub.createWatcher(this, id, req);
    if (typeof w === "string") return refuse(w);
    this.watchers.set(id, w);
    this.control({ header, watchId: id, created: true, events: [] });
    this.hub.admit(w);
    return id;
  }

  /** Cancels a watch; answered with `canceled: true`. */
  cancel(id: number): boolean {
    const w = this.watchers.get(id);
    if (w === undefined) return false;
    this.watchers.delete(id);
    this.hub.remove(w);
    this.control({ header: this.hub.store.header(), watchId: id, canceled: true, events: [] });
    return true;
  }

  /** A manual progress request; answered with watch id -1 (see EtcdCompat.progressRequest). */
  requestProgress(): void {
    if (this.hub.store.compat.progressRequest === "ifSynced" && !this.allSynced()) {
      this.deferredProgress = true;
      return;
    }
    this.control({ header: this.hub.store.header(), watchId: -1, events: [] });
  }

  /** The consumer processed `n` responses (only with autoAck false). */
  ack(n = 1): void {
    this.inflight = Math.max(0, this.inflight - n);
    this.hub.pumpIfEager();
  }

  /** Responses sent but not yet acknowledged. */
  get outstanding(): number {
    return this.inflight;
  }

  /** Closes the stream and every watcher on it. */
  close(): void {
    for (const w of this.watchers.values()) this.hub.remove(w);
    this.watchers.clear();
    this.closed = true;
  }

  /**
   * Sends a response carrying the watcher's unfiltered events. Returns the number of events
   * sent (0 when all were filtered out, which counts as delivered), or -1 if the stream is full
   * and the watcher must become a victim.
   */
  trySend(w: Watcher<V>, changes: readonly Rec<V>[], revision: number): number {
    if (this.closed) return 0;
    if (this.inflight >= this.capacity) return -1;
    const events: WatchEvent<V>[] = [];
    for (const c of changes) if (!w.filtered(c)) events.push(this.hub.eventFor(c, w.prevKv));
    return this.trySendEvents(w, events, this.hub.store.header(revision));
  }

  /** Sends ready-made events (shared, not to be mutated) with a ready-made header; as trySend. */
  trySendEvents(w: Watcher<V>, events: WatchEvent<V>[], header: ResponseHeader): number {
    if (this.closed || events.length === 0) return 0;
    if (this.inflight >= this.capacity) return -1;
    w.quiet = false;
    if (!w.fragment) {
      this.deliver({ header, watchId: w.id, events });
      return events.length;
    }
    for (const part of this.hub.fragments(w, events)) {
      const resp: WatchResponse<V> = { header, watchId: w.id, events: part.events };
      if (part.fragment) resp.fragment = true;
      this.deliver(resp);
    }
    return events.length;
  }

  /** Sends an empty progress response to one watcher; false if full. */
  trySendProgress(w: Watcher<V>, revision: number): boolean {
    if (this.closed) return true;
    if (this.inflight >= this.capacity) return false;
    this.deliver({ header: this.hub.store.header(revision), watchId: w.id, events: [] });
    return true;
  }

  /** Sends the compaction cancel for a watcher that fell below the compact revision; false if full. */
  trySendCompacted(w: Watcher<V>, compactRevision: number): boolean {
    if (this.closed) return true;
    if (this.inflight >= this.capacity) return false;
    this.watchers.delete(w.id);
    // etcd answers with header revision 0 here (watch.go: header from the response's Revision).
    this.deliver({ header: this.hub.store.header(0), watchId: w.id, canceled: true, compactRevision, events: [] });
    return true;
  }

  /** Answers a deferred progress request once every watcher on the stream is synced. */
  retryDeferredProgress(): void {
    if (this.deferredProgress && this.allSynced()) {
      this.deferredProgress = false;
      this.control({ header: this.hub.store.header(), watchId: -1, events: [] });
    }
  }

  private allSynced(): boolean {
    for (const w of this.watchers.values()) if (w.state !== "synced") return false;
    return true;
  }

  // Control responses (created, canceled, progress) go out on etcd's control path regardless
  // of the event buffer.
  private control(resp: WatchResponse<V>): void {
    if (this.closed) return;
    this.deliver(resp);
  }

  private deliver(resp: WatchResponse<V>): void {
    if (!this.autoAck) this.inflight++;
    this.sink(resp);
  }
}
