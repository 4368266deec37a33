import type { KernelArena } from "./arena.js";
import { SEL_REGION } from "./layout.js";

/**
 * Per-scan scratch buffers, shared with the workers (they write their shard's results here).
 * Given the node table's arena they live in it, so the fused WebAssembly pass writes them in
 * place; otherwise they are plain SharedArrayBuffers and the JavaScript pass runs.
 */
export class ScanBuffers {
  /** Packed filter result per scan position. */
  filterOut: Int32Array;
  /** Explicit slot list (PreFilterResult-restricted scans). */
  scanList: Int32Array;
  /** Feasible slots, in scan order. */
  feasible: Int32Array;
  /** Raw scores: plugin k of the active list at [k·stride + i]. */
  scores: Float64Array;
  stride: number;
  /** Selection summaries of fused passes: SEL_REGION doubles per shard (layout.ts SEL_*). */
  sel: Float64Array;
  version: number;
  private totalsArr: Float64Array;

  constructor(
    nodes = 64,
    plugins = 8,
    readonly arena?: KernelArena,
  ) {
    const n = Math.max(16, nodes);
    this.filterOut = this.i32(n);
    this.scanList = this.i32(n);
    this.feasible = this.i32(n);
    this.stride = n;
    this.scores = this.f64(n * plugins);
    this.sel = this.f64(SEL_REGION);
    this.totalsArr = this.f64(n);
    this.version = 0;
  }

  private i32(n: number): Int32Array {
    return this.arena === undefined ? new Int32Array(new SharedArrayBuffer(n * 4)) : this.arena.i32(n);
  }

  private f64(n: number): Float64Array {
    return this.arena === undefined ? new Float64Array(new SharedArrayBuffer(n * 8)) : this.arena.f64(n);
  }

  /** Makes room for `regions` selection summaries (reallocating bumps `version`). */
  ensureSel(regions: number): void {
    if (regions * SEL_REGION <= this.sel.length) return;
    this.sel = this.f64(regions * SEL_REGION);
    this.version++;
  }

  /** Scratch for weighted totals (main thread only). */
  totals(n: number): Float64Array {
    if (this.totalsArr.length < n) this.totalsArr = this.f64(Math.max(n, this.totalsArr.length * 2));
    return this.totalsArr;
  }

  /** Makes room for `nodes` positions and `plugins` score rows (reallocating bumps `version`). */
  ensure(nodes: number, plugins: number): void {
    if (nodes > this.filterOut.length) {
      const n = Math.max(nodes, this.filterOut.length * 2);
      this.filterOut = this.i32(n);
      this.scanList = this.i32(n);
      this.feasible = this.i32(n);
      this.stride = n;
      this.scores = this.f64(n * Math.max(plugins, 8));
      this.version++;
    } else if (plugins * this.stride > this.scores.length) {
      this.scores = this.f64(this.stride * plugins);
      this.version++;
    }
  }
}
