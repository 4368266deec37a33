import { SEL_REGION } from "./layout.js";

/** Per-scan scratch buffers in SharedArrayBuffers (workers write their shard's results here). */
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

  constructor(nodes = 64, plugins = 8) {
    const n = Math.max(16, nodes);
    this.filterOut = new Int32Array(new SharedArrayBuffer(n * 4));
    this.scanList = new Int32Array(new SharedArrayBuffer(n * 4));
    this.feasible = new Int32Array(new SharedArrayBuffer(n * 4));
    this.stride = n;
    this.scores = new Float64Array(new SharedArrayBuffer(n * plugins * 8));
    this.sel = new Float64Array(new SharedArrayBuffer(SEL_REGION * 8));
    this.version = 0;
  }

  /** Makes room for `regions` selection summaries (reallocating bumps `version`). */
  ensureSel(regions: number): void {
    if (regions * SEL_REGION <= this.sel.length) return;
    this.sel = new Float64Array(new SharedArrayBuffer(regions * SEL_REGION * 8));
    this.version++;
  }

  version: number;
  private totalsArr = new Float64Array(64);

  /** Scratch for weighted totals (main thread only). */
  totals(n: number): Float64Array {
    if (this.totalsArr.length < n) this.totalsArr = new Float64Array(Math.max(n, this.totalsArr.length * 2));
    return this.totalsArr;
  }

  /** Makes room for `nodes` positions and `plugins` score rows (reallocating bumps `version`). */
  ensure(nodes: number, plugins: number): void {
    if (nodes > this.filterOut.length) {
      const n = Math.max(nodes, this.filterOut.length * 2);
      this.filterOut = new Int32Array(new SharedArrayBuffer(n * 4));
      this.scanList = new Int32Array(new SharedArrayBuffer(n * 4));
      this.feasible = new Int32Array(new SharedArrayBuffer(n * 4));
      this.stride = n;
      this.scores = new Float64Array(new SharedArrayBuffer(n * Math.max(plugins, 8) * 8));
      this.version++;
    } else if (plugins * this.stride > this.scores.length) {
      this.scores = new Float64Array(new SharedArrayBuffer(this.stride * plugins * 8));
      this.version++;
    }
  }
}
