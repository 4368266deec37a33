/**
 * A pod's compiled program: what PreFilter and PreScore computed, flattened into two
 * SharedArrayBuffer arenas (ints and doubles) that the kernel reads on any thread. Reset per
 * scheduling cycle; grows by reallocation (then `version` changes and workers remap).
 */
import { P_HEADER } from "./layout.js";
import type { ProgramBuffers, ProgramView } from "./views.js";

export interface ProgramSnapshot {
  iTop: number;
  fTop: number;
  pi: Int32Array;
  pf: Float64Array;
}

export class Program implements ProgramView {
  pi: Int32Array;
  pf: Float64Array;
  iTop = P_HEADER;
  fTop = 0;
  version = 0;
  private buffers: ProgramBuffers;

  constructor(ints = 1 << 14, doubles = 1 << 12) {
    this.buffers = { pi: new SharedArrayBuffer(ints * 4), pf: new SharedArrayBuffer(doubles * 8) };
    this.pi = new Int32Array(this.buffers.pi);
    this.pf = new Float64Array(this.buffers.pf);
  }

  get sharedBuffers(): ProgramBuffers {
    return this.buffers;
  }

  /** Clears the header and frees every section. */
  reset(): void {
    this.pi.fill(0, 0, P_HEADER);
    this.iTop = P_HEADER;
    this.fTop = 0;
  }

  /** Reserves `n` zeroed ints; returns their offset. */
  allocI(n: number): number {
    const off = this.iTop;
    if (off + n > this.pi.length) this.growI(off + n);
    this.pi.fill(0, off, off + n);
    this.iTop = off + n;
    return off;
  }

  /** Reserves `n` zeroed doubles; returns their offset. */
  allocF(n: number): number {
    const off = this.fTop;
    if (off + n > this.pf.length) this.growF(off + n);
    this.pf.fill(0, off, off + n);
    this.fTop = off + n;
    return off;
  }

  private growI(min: number): void {
    let len = this.pi.length * 2;
    while (len < min) len *= 2;
    const b = new SharedArrayBuffer(len * 4);
    const a = new Int32Array(b);
    a.set(this.pi.subarray(0, this.iTop));
    this.buffers = { pi: b, pf: this.buffers.pf };
    this.pi = a;
    this.version++;
  }

  private growF(min: number): void {
    let len = this.pf.length * 2;
    while (len < min) len *= 2;
    const b = new SharedArrayBuffer(len * 8);
    const a = new Float64Array(b);
    a.set(this.pf.subarray(0, this.fTop));
    this.buffers = { pi: this.buffers.pi, pf: b };
    this.pf = a;
    this.version++;
  }

  /** A copy of the used part (preemption dry runs mutate tables and restore them after). */
  save(): ProgramSnapshot {
    return { iTop: this.iTop, fTop: this.fTop, pi: this.pi.slice(0, this.iTop), pf: this.pf.slice(0, this.fTop) };
  }

  restore(s: ProgramSnapshot): void {
    this.pi.set(s.pi);
    this.pf.set(s.pf);
    this.iTop = s.iTop;
    this.fTop = s.fTop;
  }
}
