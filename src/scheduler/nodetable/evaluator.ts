/** How the framework runs the kernel over many nodes: on the main thread, or sharded across workers. */
import type { ScanBuffers } from "./buffers.js";
import { filterRange, scanStats, scoreRange } from "./kernel.js";
import type { Program } from "./program.js";
import type { NodeTable } from "./table.js";

export interface Evaluator {
  /**
   * Filters scan positions [from, to) into `buf.filterOut` (same contract as kernel
   * `filterRange`): returns the end position, which is `to` or the position after the
   * `need`-th feasible node. Results must not depend on how the work was split.
   */
  filter(
    t: NodeTable,
    p: Program,
    buf: ScanBuffers,
    listed: boolean,
    start: number,
    len: number,
    from: number,
    to: number,
    need: number,
    feasAt?: number,
  ): number;
  /**
   * After `filter` with `feasAt`: how many feasible slots were appended to `buf.feasible` at
   * `feasAt`, or −1 when the caller must merge `buf.filterOut` itself (nodes deferred to the
   * main thread, or a parallel scan).
   */
  readonly collected: number;
  /**
   * The fused filter + score pass over positions [from, to) of a full scan, sharded, with
   * results by position: slots in `buf.feasible`, totals in scores row 1, TaintToleration raw
   * counts in scores row 2 (weights at pf[wOff]), and shard k's selection summary in region k
   * of `buf.sel`. Returns the number of shards (regions), or 0 when it is not worth it (the
   * caller then runs the compact serial pass).
   */
  fusedScan?(
    t: NodeTable,
    p: Program,
    buf: ScanBuffers,
    start: number,
    len: number,
    from: number,
    to: number,
    wOff: number,
  ): number;
  /** Raw scores of the active score plugins for `buf.feasible[0 .. n)` into `buf.scores`. */
  score(t: NodeTable, p: Program, buf: ScanBuffers, n: number): void;
  /** How many evaluations the last calls shipped to workers (for reports). */
  readonly parallelCalls: number;
  /** The scheduler ran out of pods to schedule (worker threads may stop spinning); changes no result. */
  idle?(): void;
}

/** Everything on the calling thread. */
export class SerialEvaluator implements Evaluator {
  readonly parallelCalls = 0;
  collected = -1;

  filter(
    t: NodeTable,
    p: Program,
    buf: ScanBuffers,
    listed: boolean,
    start: number,
    len: number,
    from: number,
    to: number,
    need: number,
    feasAt?: number,
  ): number {
    const feas = feasAt === undefined ? undefined : buf.feasible;
    const list = listed ? buf.scanList : undefined;
    const end = filterRange(t, p, list, start, len, from, to, buf.filterOut, need, feas, feasAt ?? 0);
    this.collected = feasAt !== undefined && scanStats.deferred === 0 ? scanStats.feasible : -1;
    return end;
  }

  score(t: NodeTable, p: Program, buf: ScanBuffers, n: number): void {
    scoreRange(t, p, buf.feasible, 0, n, buf.scores, buf.stride);
  }
}
