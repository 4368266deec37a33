import type { Rec } from "../key-index.js";
import type { WatchStream } from "./stream.js";

/** Where a watcher stands relative to the store (etcd's watcher groups). */
export type WatcherState = "synced" | "unsynced" | "victim" | "closed";

/** Events a watcher still has to receive, with the revision where its next batch starts (0 = none). */
export interface EventBatch<V> {
  changes: Rec<V>[];
  /** Distinct revisions in `changes`. */
  revs: number;
  /** First revision left out because the batch was full; 0 if none. */
  moreRev: number;
}

/** One watch: a key or range, the next revision it needs, its options and its stream. */
export class Watcher<V> {
  readonly id: number;
  readonly stream: WatchStream<V>;
  /** Byte-string start key. */
  readonly start: string;
  /** Byte-string end: undefined = the single key `start`; NO_END ("\0") = unbounded. */
  readonly end: string | undefined;
  readonly startRev: number;
  /** The first revision the watcher has not yet been sent. */
  minRev: number;
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly progressNotify: boolean;
  readonly fragment: boolean;
  state: WatcherState = "unsynced";
  /** Batch that could not be sent (victim state). */
  victimBatch: EventBatch<V> | undefined;
  /** No event was sent since the last progress tick. */
  quiet = true;
  // Scratch for the fan-out of one revision: how many of its changes matched, the first one's
  // index, and the rest (only allocated when a revision has several matching changes).
  pendCount = 0;
  pendFirst = 0;
  pendMore: number[] | undefined;

  constructor(
    id: number,
    stream: WatchStream<V>,
    start: string,
    end: string | undefined,
    startRev: number,
    opts: { prevKv: boolean; noPut: boolean; noDelete: boolean; progressNotify: boolean; fragment: boolean },
  ) {
    this.id = id;
    this.stream = stream;
    this.start = start;
    this.end = end;
    this.startRev = startRev;
    this.minRev = startRev;
    this.prevKv = opts.prevKv;
    this.noPut = opts.noPut;
    this.noDelete = opts.noDelete;
    this.progressNotify = opts.progressNotify;
    this.fragment = opts.fragment;
  }

  /** True if the byte key lies in the watched key or range. */
  contains(bkey: string): boolean {
    if (this.end === undefined) return bkey === this.start;
    return bkey >= this.start && (this.end === "\u0000" || bkey < this.end);
  }

  /** True if a filter drops this change (NOPUT / NODELETE). */
  filtered(c: Rec<V>): boolean {
    return c.tombstone ? this.noDelete : this.noPut;
  }
}

/** Max distinct revisions in one catch-up response (etcd's watchBatchMaxRevs). */
export const WATCH_BATCH_MAX_REVS = 1000;

/** Adds a change to a catch-up batch unless it already holds the maximum number of revisions. */
export function addToBatch<V>(b: EventBatch<V>, c: Rec<V>): void {
  if (b.revs > WATCH_BATCH_MAX_REVS) return;
  const last = b.changes[b.changes.length - 1];
  if (last === undefined) {
    b.revs = 1;
    b.changes.push(c);
    return;
  }
  if (c.modRevision > last.modRevision) {
    b.revs++;
    if (b.revs > WATCH_BATCH_MAX_REVS) {
      b.moreRev = c.modRevision;
      return;
    }
  }
  b.changes.push(c);
}
