import type { TableBuffers } from "./views.js";

/** The control block shared by the main thread and the scan workers (Int32 words). */
export const CTL_CMD = 1;
export const CTL_VERSION = 3;
export const CTL_READY = 4;
/** Atomics.load iterations a worker spins on its wake word before it sleeps in Atomics.wait. */
export const CTL_SPIN = 5;
/**
 * The chunks of the current scan not yet taken: [first, end) packed as first | end << 16. The
 * main thread takes chunks from the front (first + 1), workers from the back (end − 1), each by
 * compareExchange, so a thread that runs slower or starts late simply takes fewer.
 */
export const CTL_CLAIM = 6;
/** Chunks of the current scan finished. */
export const CTL_COMPLETED = 7;
export const CTL_LISTED = 8;
export const CTL_START = 9;
export const CTL_LEN = 10;
export const CTL_N = 11;
/** The scan's positions [CTL_FROM, CTL_TO), CTL_CHUNK positions per chunk, CTL_CHUNKS chunks. */
export const CTL_FROM = 12;
export const CTL_TO = 13;
export const CTL_CHUNK = 14;
export const CTL_CHUNKS = 15;
/**
 * One word per worker index: 1 from before it reads CTL_CLAIM until it takes no more chunks.
 * The main thread rewrites a scan's parameters only while every word is 0, so a worker that
 * took a chunk always read that scan's parameters, however late it ran.
 */
export const CTL_ACTIVE = 16;
/** Chunks the workers ran, all scans together (for tests and reports). */
export const CTL_WORKER_CHUNKS = 80;
/** Bumped when the scheduler goes idle: spinning workers then sleep at once (see ParallelEvaluator.idle). */
export const CTL_PARK = 81;
/** Times a worker went to sleep in Atomics.wait (for tests). */
export const CTL_SLEEPS = 82;
/** Set by a worker whose chunk threw (the error goes to stderr): the scan's results are incomplete. */
export const CTL_FAILED = 83;
/** Wake word per worker index: the main thread bumps and notifies only the workers it uses. */
export const CTL_WAKE = 208;
export const CTL_SIZE = 288;
export const MAX_WORKERS = 64;
/** Most chunks a scan is split into (CTL_CLAIM holds 16-bit counts; selection regions per chunk). */
export const MAX_CHUNKS = 64;

export const CMD_FILTER = 1;
export const CMD_SCORE = 2;
/** Fused filter + score over a full scan, results by position (weights at pf[CTL_N]). */
export const CMD_FUSED = 3;
export const CMD_EXIT = 9;

/**
 * A typed array as sent to a worker: its buffer, byte offset and length; `inArena` when it is a
 * region of the table's arena (the worker then makes the view through the arena, so the fused
 * WebAssembly pass recognises it).
 */
export interface ArrayRef {
  buffer: SharedArrayBuffer;
  at: number;
  length: number;
  inArena: boolean;
}

/** Buffers a worker needs, re-sent whenever one is reallocated (`version` changes). */
export interface WorkerLayout {
  version: number;
  table: TableBuffers;
  prog: { pi: SharedArrayBuffer; pf: SharedArrayBuffer };
  scan: {
    filterOut: ArrayRef;
    scanList: ArrayRef;
    feasible: ArrayRef;
    scores: ArrayRef;
    sel: ArrayRef;
    stride: number;
  };
}
