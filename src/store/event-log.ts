import type { Rec } from "./key-index.js";

/**
 * Every change since the compact revision, in (revision, sub) order: what etcd's backend
 * `key` bucket holds by revision, used to replay history to watchers that start in the past.
 * Revisions are consecutive (each bump writes at least one change), so the first change of a
 * revision is found by index arithmetic.
 */
export class EventLog<V> {
  private recs: Rec<V>[] = [];
  private starts: number[] = [];
  /** Revision of starts[0]; the log holds revisions base .. base + starts.length - 1. */
  private base = 0;

  /** Appends the changes of revision `rev`, which must follow the last one. */
  append(rev: number, changes: readonly Rec<V>[]): void {
    if (this.starts.length === 0) this.base = rev;
    else if (rev !== this.base + this.starts.length) {
      throw new Error(`event log: revision ${rev} does not follow ${this.base + this.starts.length - 1}`);
    }
    this.starts.push(this.recs.length);
    for (const c of changes) this.recs.push(c);
  }

  /** Position of the first change with revision >= rev. */
  positionOf(rev: number): number {
    const i = rev - this.base;
    if (i <= 0) return 0;
    if (i >= this.starts.length) return this.recs.length;
    return this.starts[i] as number;
  }

  /** Change at a position. */
  at(pos: number): Rec<V> {
    return this.recs[pos] as Rec<V>;
  }

  /** One past the last position. */
  get end(): number {
    return this.recs.length;
  }

  /** Number of changes held. */
  get size(): number {
    return this.recs.length;
  }

  /**
   * Forgets changes below `rev`, and the changes at exactly `rev` that `keepAtRev` rejects:
   * compaction keeps only each key's newest revision at or below `rev` in the backend (minus a
   * tombstone there in older etcd, etcd.md §8), so a watch from `rev` sees just those.
   */
  compact(rev: number, keepAtRev: (c: Rec<V>) => boolean): void {
    if (this.starts.length === 0) return;
    const lastRev = this.base + this.starts.length - 1;
    const newBase = Math.min(Math.max(rev, this.base), lastRev + 1);
    const kept: Rec<V>[] = [];
    const starts: number[] = [];
    for (let r = newBase; r <= lastRev; r++) {
      starts.push(kept.length);
      const i = r - this.base;
      const to = i + 1 < this.starts.length ? (this.starts[i + 1] as number) : this.recs.length;
      for (let p = this.starts[i] as number; p < to; p++) {
        const c = this.recs[p] as Rec<V>;
        // An emptied revision keeps its (empty) slot so revision arithmetic stays exact.
        if (r === rev && !keepAtRev(c)) continue;
        kept.push(c);
      }
    }
    this.base = newBase;
    this.recs = kept;
    this.starts = starts;
  }
}
