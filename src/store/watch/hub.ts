import type { Rec } from "../key-index.js";
import type { MvccStore, StoreListener } from "../kv-store.js";
import type { KeyValue, WatchCreateRequest, WatchEvent, WatchResponse } from "../types.js";
import { type RangeGroup, RangeIndex } from "./range-index.js";
import { type StreamOptions, WatchStream } from "./stream.js";
import { addToBatch, type EventBatch, Watcher } from "./watcher.js";

export interface HubOptions {
  /**
   * "eager" (default): catch-up and victim retries run synchronously whenever they can make
   * progress, which suits library use with a manual clock. "manual": a driver calls
   * `syncRound()` every 100 ms and `moveVictims()` every 10 ms, as etcd's loops do; the etcd
   * cluster model runs them on the simulation clock.
   */
  sync?: "eager" | "manual";
  /** Unsynced watchers handled per sync round (etcd's maxWatchersPerSync). */
  maxWatchersPerSync?: number;
}

/** Counters of the fan-out. */
export interface HubStats {
  /** Responses carrying events. */
  responses: number;
  /** Events delivered, counted once per receiving watcher. */
  deliveries: number;
  /** Times a watcher was demoted to victim because its stream was full. */
  victimized: number;
  /** Watchers canceled because they fell below the compact revision. */
  compactedCancels: number;
}

/**
 * etcd's watchable store: watchers in three groups. Synced watchers are indexed by key and by
 * range and receive each revision's matching changes as one response when it commits, so a
 * write costs in proportion to the watchers it matches. Unsynced watchers (starting in the
 * past) are caught up from the event log in batches of at most 1,000 revisions. A watcher
 * whose stream is full becomes a victim holding its batch until a retry succeeds: a slow
 * consumer never blocks writers and never makes the store buffer without bound.
 */
export class WatchHub<V = string> implements StoreListener<V> {
  readonly store: MvccStore<V>;
  readonly stats: HubStats = { responses: 0, deliveries: 0, victimized: 0, compactedCancels: 0 };
  private readonly exact = new Map<string, Set<Watcher<V>>>();
  private readonly ranges = new RangeIndex<Watcher<V>>();
  private readonly unsynced = new Set<Watcher<V>>();
  private readonly victims = new Set<Watcher<V>>();
  private readonly streams = new Set<WatchStream<V>>();
  private readonly eager: boolean;
  private readonly maxPerSync: number;
  private pumping = false;
  // Events built for the revision being fanned out, shared by every watcher that gets them.
  private caching = false;
  private readonly evCache = new Map<Rec<V>, WatchEvent<V>>();
  private readonly prevCache = new Map<Rec<V>, WatchEvent<V>>();
  private readonly touched: Watcher<V>[] = [];

  constructor(store: MvccStore<V>, options: HubOptions = {}) {
    this.store = store;
    this.eager = (options.sync ?? "eager") === "eager";
    this.maxPerSync = options.maxWatchersPerSync ?? 512;
    store.listen(this);
  }

  /** Opens a stream whose responses go to `sink`. */
  openStream(sink: (resp: WatchResponse<V>) => void, options?: StreamOptions): WatchStream<V> {
    const s = new WatchStream<V>(this, sink, options);
    this.streams.add(s);
    return s;
  }

  /** True if unsynced watchers or victims are waiting for a sync or retry round. */
  hasBacklog(): boolean {
    return this.unsynced.size > 0 || this.victims.size > 0;
  }

  /** Number of watchers in each group. */
  counts(): { synced: number; unsynced: number; victims: number } {
    let synced = 0;
    for (const set of this.exact.values()) synced += set.size;
    synced += this.syncedRanges;
    return { synced, unsynced: this.unsynced.size, victims: this.victims.size };
  }

  private syncedRanges = 0;

  /** Builds a watcher for a create request, or returns the refusal reason. */
  createWatcher(stream: WatchStream<V>, id: number, req: WatchCreateRequest): Watcher<V> | string {
    const store = this.store;
    const start = store.enc(req.key === "" ? "\u0000" : req.key);
    let end: string | undefined;
    if (req.rangeEnd === "\u0000") end = "\u0000";
    else if (req.rangeEnd !== undefined && req.rangeEnd !== "") {
      end = store.enc(req.rangeEnd);
      if (!(start < end)) return "mvcc: watcher range is empty";
    }
    const startRev = req.startRevision ?? 0;
    if (startRev < 0) return "mvcc: required revision is a negative value";
    const filters = req.filters ?? [];
    return new Watcher<V>(id, stream, start, end, startRev === 0 ? store.revision + 1 : startRev, {
      prevKv: req.prevKv === true,
      noPut: filters.includes("NOPUT"),
      noDelete: filters.includes("NODELETE"),
      progressNotify: req.progressNotify === true,
      fragment: req.fragment === true,
    });
  }

  /** Places a new watcher: synced if it starts after the current revision, else unsynced. */
  admit(w: Watcher<V>): void {
    if (w.startRev > this.store.revision) {
      w.minRev = w.startRev;
      this.toSynced(w);
    } else {
      w.state = "unsynced";
      this.unsynced.add(w);
      this.pumpIfEager();
    }
  }

  /** Removes a watcher from whichever group holds it. */
  remove(w: Watcher<V>): void {
    if (w.state === "synced") this.unindex(w);
    this.unsynced.delete(w);
    this.victims.delete(w);
    w.state = "closed";
  }

  // ------------------------------------------------------------ store events

  /**
   * Fan-out of one committed revision to the synced watchers it matches. A sink that writes to
   * the store while receiving would re-enter here; such revisions queue behind the current one
   * so every watcher still sees revisions in order.
   */
  committed(rev: number, changes: readonly Rec<V>[]): void {
    if (this.fanningOut) {
      this.queued.push({ rev, changes });
      return;
    }
    this.fanningOut = true;
    try {
      this.fanOut(rev, changes);
      for (let q = this.queued.shift(); q !== undefined; q = this.queued.shift()) this.fanOut(q.rev, q.changes);
    } finally {
      this.fanningOut = false;
    }
    if (this.eager && this.victims.size > 0) this.pump();
  }

  private fanningOut = false;
  private readonly queued: { rev: number; changes: readonly Rec<V>[] }[] = [];

  private fanOut(rev: number, changes: readonly Rec<V>[]): void {
    const touched = this.touched;
    for (let ci = 0; ci < changes.length; ci++) {
      const c = changes[ci] as Rec<V>;
      const ex = this.exact.get(c.bkey);
      if (ex !== undefined) for (const w of ex) this.match(w, ci, c, touched);
      const groups = this.ranges.lookup(c.bkey);
      for (let g = 0; g < groups.length; g++) {
        const list = (groups[g] as RangeGroup<Watcher<V>>).list;
        for (let j = 0; j < list.length; j++) this.match(list[j] as Watcher<V>, ci, c, touched);
      }
    }
    if (touched.length === 0) return;
    this.caching = true;
    // One header and, per change, one single-event list shared by every watcher that gets
    // exactly that change unfiltered: a response object per watcher is all that remains.
    const header = this.store.header(rev);
    const single: (WatchEvent<V>[] | undefined)[] = [];
    const singlePrev: (WatchEvent<V>[] | undefined)[] = [];
    for (const w of touched) {
      const count = w.pendCount;
      const first = w.pendFirst;
      const more = w.pendMore;
      w.pendCount = 0;
      w.pendMore = undefined;
      if (w.state !== "synced") continue;
      let events: WatchEvent<V>[];
      if (count === 1) {
        const c = changes[first] as Rec<V>;
        if (w.filtered(c)) continue;
        const cache = w.prevKv ? singlePrev : single;
        let list = cache[first];
        if (list === undefined) {
          list = [this.eventFor(c, w.prevKv)];
          cache[first] = list;
        }
        events = list;
      } else {
        events = [];
        for (const ci of more as number[]) {
          const c = changes[ci] as Rec<V>;
          if (!w.filtered(c)) events.push(this.eventFor(c, w.prevKv));
        }
        if (events.length === 0) continue;
      }
      const sent = w.stream.trySendEvents(w, events, header);
      if (sent < 0) {
        w.minRev = rev + 1;
        const got: Rec<V>[] =
          count === 1 ? [changes[first] as Rec<V>] : (more as number[]).map((ci) => changes[ci] as Rec<V>);
        this.toVictim(w, { changes: got, revs: 1, moreRev: 0 });
      } else this.countDelivery(sent);
    }
    touched.length = 0;
    this.caching = false;
    this.evCache.clear();
    this.prevCache.clear();
  }

  /** After a compaction: unsynced watchers below it are canceled on the next round. */
  compacted(_rev: number): void {
    this.pumpIfEager();
  }

  private match(w: Watcher<V>, ci: number, c: Rec<V>, touched: Watcher<V>[]): void {
    if (c.modRevision < w.minRev) return;
    if (w.pendCount === 0) {
      w.pendFirst = ci;
      touched.push(w);
    } else {
      if (w.pendMore === undefined) w.pendMore = [w.pendFirst];
      w.pendMore.push(ci);
    }
    w.pendCount++;
  }

  // ------------------------------------------------------------ catch-up loops

  /**
   * One round of etcd's syncWatchers: up to maxWatchersPerSync unsynced watchers are either
   * canceled (below the compact revision) or sent their next batch from the event log.
   * Returns the number of watchers that made progress.
   */
  syncRound(): number {
    if (this.unsynced.size === 0) return 0;
    const store = this.store;
    const cur = store.revision;
    const compactRev = store.compactRevision;
    const log = store.log;
    let progressed = 0;
    let n = 0;
    for (const w of [...this.unsynced]) {
      if (n++ >= this.maxPerSync) break;
      if (w.minRev < compactRev) {
        if (w.stream.trySendCompacted(w, compactRev)) {
          this.unsynced.delete(w);
          w.state = "closed";
          this.stats.compactedCancels++;
          progressed++;
        }
        continue;
      }
      const batch: EventBatch<V> = { changes: [], revs: 0, moreRev: 0 };
      for (let p = log.positionOf(w.minRev); p < log.end && batch.moreRev === 0; p++) {
        const c = log.at(p);
        if (w.contains(c.bkey)) addToBatch(batch, c);
      }
      w.minRev = batch.moreRev !== 0 ? batch.moreRev : cur + 1;
      progressed++;
      if (batch.changes.length === 0) {
        this.unsynced.delete(w);
        this.toSynced(w);
        continue;
      }
      const sent = w.stream.trySend(w, batch.changes, cur);
      this.countDelivery(sent);
      if (sent < 0) {
        this.unsynced.delete(w);
        this.toVictim(w, batch);
      } else if (batch.moreRev === 0) {
        this.unsynced.delete(w);
        this.toSynced(w);
      }
    }
    return progressed;
  }

  /** One round of etcd's moveVictims: retry each victim's batch; returns how many got through. */
  moveVictims(): number {
    let moved = 0;
    for (const w of [...this.victims]) {
      const batch = w.victimBatch as EventBatch<V>;
      const sent = w.stream.trySend(w, batch.changes, w.minRev - 1);
      if (sent < 0) continue;
      this.countDelivery(sent);
      moved++;
      this.victims.delete(w);
      w.victimBatch = undefined;
      if (batch.moreRev !== 0) w.minRev = batch.moreRev;
      if (w.minRev <= this.store.revision) {
        w.state = "unsynced";
        this.unsynced.add(w);
      } else {
        this.toSynced(w);
      }
    }
    return moved;
  }

  /** Runs victim retries and sync rounds until neither makes progress. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.moveVictims() + this.syncRound() > 0) {}
      for (const s of this.streams) s.retryDeferredProgress();
    } finally {
      this.pumping = false;
    }
  }

  /** Pumps when in eager mode. */
  pumpIfEager(): void {
    if (this.eager) this.pump();
  }

  /**
   * A progress-notify tick (every --experimental-watch-progress-notify-interval, 10 min by
   * default): synced watchers that asked for it and got no events since the last tick receive
   * an empty response at the current revision.
   */
  progressTick(): void {
    const rev = this.store.revision;
    for (const s of this.streams) {
      if (s.closed) {
        this.streams.delete(s);
        continue;
      }
      for (const w of s.watchers.values()) {
        if (w.progressNotify && w.quiet && w.state === "synced") w.stream.trySendProgress(w, rev);
        w.quiet = true;
      }
    }
  }

  // ------------------------------------------------------------ building responses

  /** The wire event for a change, with prevKv when asked (read at modRevision - 1, skipped for creations). */
  eventFor(c: Rec<V>, withPrev: boolean): WatchEvent<V> {
    const cache = withPrev ? this.prevCache : this.evCache;
    if (this.caching) {
      const hit = cache.get(c);
      if (hit !== undefined) return hit;
    }
    const ev: WatchEvent<V> = { type: c.tombstone ? "DELETE" : "PUT", kv: this.kvOf(c) };
    if (withPrev && !(!c.tombstone && c.createRevision === c.modRevision)) {
      const prev = this.store.recordAt(c.bkey, c.modRevision - 1);
      if (prev !== undefined) ev.prevKv = this.store.toKv(prev);
    }
    if (this.caching) cache.set(c, ev);
    return ev;
  }

  private kvOf(c: Rec<V>): KeyValue<V> {
    if (this.caching) {
      const other = (this.evCache.get(c) ?? this.prevCache.get(c))?.kv;
      if (other !== undefined) return other;
    }
    return this.store.toKv(c);
  }

  /**
   * Splits a response the way etcd's sendFragments does when the watcher asked for fragments:
   * only if it is at least max-request-bytes + 512 KiB and holds two or more events.
   */
  fragments(w: Watcher<V>, events: WatchEvent<V>[]): { events: WatchEvent<V>[]; fragment: boolean }[] {
    if (!w.fragment || events.length < 2) return [{ events, fragment: false }];
    const limit = 1_572_864 + 512 * 1024;
    const sizes = events.map((e) => this.eventSize(e));
    if (sizes.reduce((a, b) => a + b, 0) < limit) return [{ events, fragment: false }];
    const parts: { events: WatchEvent<V>[]; fragment: boolean }[] = [];
    let cur: WatchEvent<V>[] = [];
    let size = 0;
    for (let i = 0; i < events.length; i++) {
      const s = sizes[i] as number;
      if (cur.length > 0 && size + s >= limit) {
        parts.push({ events: cur, fragment: true });
        cur = [];
        size = 0;
      }
      cur.push(events[i] as WatchEvent<V>);
      size += s;
    }
    parts.push({ events: cur, fragment: false });
    return parts;
  }

  private eventSize(e: WatchEvent<V>): number {
    const kv = (k: KeyValue<V> | undefined) =>
      k === undefined ? 0 : 24 + k.key.length + this.store.codec.size(k.value);
    return 4 + kv(e.kv) + kv(e.prevKv);
  }

  // ------------------------------------------------------------ groups

  private toSynced(w: Watcher<V>): void {
    w.state = "synced";
    if (w.end === undefined) {
      let set = this.exact.get(w.start);
      if (set === undefined) {
        set = new Set();
        this.exact.set(w.start, set);
      }
      set.add(w);
    } else {
      this.ranges.add(w.start, w.end === "\u0000" ? undefined : w.end, w);
      this.syncedRanges++;
    }
  }

  private unindex(w: Watcher<V>): void {
    if (w.end === undefined) {
      const set = this.exact.get(w.start);
      set?.delete(w);
      if (set !== undefined && set.size === 0) this.exact.delete(w.start);
    } else {
      this.ranges.remove(w.start, w.end === "\u0000" ? undefined : w.end, w);
      this.syncedRanges--;
    }
  }

  private toVictim(w: Watcher<V>, batch: EventBatch<V>): void {
    if (w.state === "synced") this.unindex(w);
    w.state = "victim";
    w.victimBatch = batch;
    this.victims.add(w);
    this.stats.victimized++;
  }

  private countDelivery(events: number): void {
    if (events <= 0) return;
    this.stats.responses++;
    this.stats.deliveries += events;
  }
}
