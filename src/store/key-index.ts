import type { KeyValue } from "./types.js";

/**
 * One stored revision of a key. It is what the index keeps, what the event log holds and what
 * watchers receive, so a write allocates it once. `sub` orders changes inside one revision;
 * a tombstone (delete) has createRevision, version and lease 0 and the empty value, which is
 * exactly the `kv` etcd puts in a DELETE event.
 */
export interface Rec<V> extends KeyValue<V> {
  /** The key as bytes (one char per byte): what ordering and range checks use. */
  readonly bkey: string;
  readonly sub: number;
  readonly tombstone: boolean;
}

/**
 * The revision history of one key (etcd's keyIndex). etcd groups revisions in generations
 * that each end with a tombstone; here they are one time-ordered array in which a tombstone
 * ends a generation, and every record carries its own createRevision and version, so a
 * historical read is one binary search.
 */
export class KeyIndex<V> {
  readonly key: string;
  readonly bkey: string;
  recs: Rec<V>[] = [];

  constructor(key: string, bkey: string) {
    this.key = key;
    this.bkey = bkey;
  }

  /** The newest record, live or tombstone. */
  get last(): Rec<V> | undefined {
    return this.recs[this.recs.length - 1];
  }

  /** The key's live record at the latest revision. */
  latest(): Rec<V> | undefined {
    const r = this.recs[this.recs.length - 1];
    return r === undefined || r.tombstone ? undefined : r;
  }

  /** Index of the last record with modRevision <= rev (the highest sub among equal revisions), or -1. */
  private lastAtOrBelow(rev: number): number {
    const recs = this.recs;
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((recs[mid] as Rec<V>).modRevision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The key's live record as of revision `rev`, if the key existed then. */
  at(rev: number): Rec<V> | undefined {
    const r = this.recs[this.lastAtOrBelow(rev)];
    return r === undefined || r.tombstone ? undefined : r;
  }

  /** Records a put at (main, sub): version counts writes since creation, reset by a delete. */
  put(main: number, sub: number, value: V, lease: number): Rec<V> {
    const live = this.latest();
    const rec: Rec<V> = {
      key: this.key,
      createRevision: live === undefined ? main : live.createRevision,
      modRevision: main,
      version: live === undefined ? 1 : live.version + 1,
      value,
      lease,
      bkey: this.bkey,
      sub,
      tombstone: false,
    };
    this.recs.push(rec);
    return rec;
  }

  /** Records a delete at (main, sub); the key must be live. */
  tombstone(main: number, sub: number, empty: V): Rec<V> {
    const rec: Rec<V> = {
      key: this.key,
      createRevision: 0,
      modRevision: main,
      version: 0,
      value: empty,
      lease: 0,
      bkey: this.bkey,
      sub,
      tombstone: true,
    };
    this.recs.push(rec);
    return rec;
  }

  /**
   * Drops history below `atRev`, keeping the newest record <= atRev (reads at atRev need it)
   * and everything after. If that record is a tombstone it is dropped too, except that with
   * `keepTombstoneAtRev` a tombstone at exactly atRev stays so a watch from atRev sees the
   * delete (etcd >= 3.4.34 / 3.5.16 / 3.6; older releases drop it, etcd.md §8).
   * Returns true when nothing is left, i.e. the key can leave the index.
   */
  compact(atRev: number, keepTombstoneAtRev: boolean): boolean {
    const recs = this.recs;
    const keep = this.lastAtOrBelow(atRev); // newest record <= atRev, or -1
    if (keep < 0) return recs.length === 0;
    const r = recs[keep] as Rec<V>;
    const from = r.tombstone && !(keepTombstoneAtRev && r.modRevision === atRev) ? keep + 1 : keep;
    if (from > 0) this.recs = recs.slice(from);
    return this.recs.length === 0;
  }
}
