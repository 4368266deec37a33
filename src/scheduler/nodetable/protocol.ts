import type { TableBuffers } from "./views.js";

/** The control block shared by the main thread and the scan workers (Int32 words). */
export const CTL_SEQ = 0;
export const CTL_CMD = 1;
export const CTL_DONE = 2;
export const CTL_VERSION = 3;
export const CTL_READY = 4;
/** Atomics.load iterations a worker spins on its wake word before it sleeps in Atomics.wait. */
export const CTL_SPIN = 5;
export const CTL_LISTED = 8;
export const CTL_START = 9;
export const CTL_LEN = 10;
export const CTL_N = 11;
/** Shard ranges: [from, to] per worker index. */
export const CTL_RANGES = 16;
/** Selection-summary region (shard index) per worker index. */
export const CTL_REGION = 144;
/** Wake word per worker index: the main thread bumps and notifies only the workers it uses. */
export const CTL_WAKE = 208;
export const CTL_SIZE = 288;
export const MAX_WORKERS = 64;

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
