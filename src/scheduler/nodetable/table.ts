/**
 * The node table: scheduler-relevant node state as struct-of-arrays in SharedArrayBuffers,
 * updated incrementally (node add/update/delete, pod assume/forget/bind), read by the kernel on
 * the main thread and on worker threads. js-perf.md §3 measured ~13 ns per node for exact
 * typed-array scans against 400–700 ns for walks over nested objects.
 *
 * Interning: label keys get dense ids (columns of `labels`), and each key's values get dense
 * ids from 1 (0 = label absent), so selectors compile to truth tables over value ids.
 */

import { KernelArena } from "./arena.js";
import {
  H_CAP,
  H_KEYCAP,
  H_ORDER_LEN,
  H_SCALARCAP,
  H_SIZE,
  H_VERSION,
  I_ALIVE,
  INT_STRIDE,
  NUM_STRIDE,
} from "./layout.js";
import type { TableBuffers, TableView } from "./views.js";

function sab(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, bytes));
}

export class NodeTable implements TableView {
  num: Float64Array;
  ints: Int32Array;
  labels: Int32Array;
  scal: Float64Array;
  order: Int32Array;
  keyCap: number;
  scalarCap: number;
  orderLen = 0;
  /** Slots ever handed out (high-water mark). */
  slotCount = 0;
  readonly header: Int32Array;
  private buffers: TableBuffers;
  private cap: number;
  private readonly freeSlots: number[] = [];

  private readonly keyIds = new Map<string, number>();
  private readonly keyNames: string[] = [];
  private readonly valueIds: Map<string, number>[] = [];
  private readonly valueNames: string[][] = [];
  private readonly scalarIds = new Map<string, number>();
  private readonly scalarNames: string[] = [];

  /** Where num, ints and order live (the fused WebAssembly pass reads them there). */
  readonly arena: KernelArena;

  constructor(initialCap = 64) {
    this.cap = Math.max(8, initialCap);
    this.keyCap = 8;
    this.scalarCap = 2;
    const header = sab(H_SIZE * 4);
    this.header = new Int32Array(header);
    // Room for the rows, the scan buffers (ScanBuffers) and growth.
    this.arena = KernelArena.create(this.cap * (NUM_STRIDE * 8 + INT_STRIDE * 4 + 4) * 2 + 96 * this.cap);
    this.num = this.arena.f64(this.cap * NUM_STRIDE);
    this.ints = this.arena.i32(this.cap * INT_STRIDE);
    this.order = this.arena.i32(this.cap);
    const labels = sab(this.cap * this.keyCap * 4);
    const scal = sab(this.cap * this.scalarCap * 2 * 8);
    this.labels = new Int32Array(labels);
    this.scal = new Float64Array(scal);
    this.buffers = this.describe(header, labels, scal);
    this.writeHeader(false);
  }

  private describe(header: SharedArrayBuffer, labels: SharedArrayBuffer, scal: SharedArrayBuffer): TableBuffers {
    return {
      header,
      memory: this.arena.memory,
      numAt: this.num.byteOffset,
      intsAt: this.ints.byteOffset,
      orderAt: this.order.byteOffset,
      labels,
      scal,
    };
  }

  /** The current buffers (workers remap when `version` changes). */
  get sharedBuffers(): TableBuffers {
    return this.buffers;
  }

  /** Bumped whenever a buffer is reallocated. */
  get version(): number {
    return this.header[H_VERSION] as number;
  }

  get capacity(): number {
    return this.cap;
  }

  private writeHeader(bump: boolean): void {
    const h = this.header;
    if (bump) h[H_VERSION] = (h[H_VERSION] as number) + 1;
    h[H_CAP] = this.cap;
    h[H_KEYCAP] = this.keyCap;
    h[H_SCALARCAP] = this.scalarCap;
    h[H_ORDER_LEN] = this.orderLen;
  }

  // -------------------------------------------------------------------------------------------
  // Slots

  /** A fresh, zeroed slot (freed slots are reused, last freed first). */
  allocSlot(): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotCount++;
      if (slot >= this.cap) this.grow(Math.max(this.cap * 2, slot + 1), this.keyCap, this.scalarCap);
    }
    this.num.fill(0, slot * NUM_STRIDE, (slot + 1) * NUM_STRIDE);
    this.ints.fill(0, slot * INT_STRIDE, (slot + 1) * INT_STRIDE);
    this.labels.fill(0, slot * this.keyCap, (slot + 1) * this.keyCap);
    this.scal.fill(0, slot * this.scalarCap * 2, (slot + 1) * this.scalarCap * 2);
    this.ints[slot * INT_STRIDE + I_ALIVE] = 1;
    return slot;
  }

  freeSlot(slot: number): void {
    this.ints[slot * INT_STRIDE + I_ALIVE] = 0;
    this.freeSlots.push(slot);
  }

  /** Sets the scan order (zone-interleaved node list) as a list of slots. */
  setOrder(slots: readonly number[]): void {
    for (let i = 0; i < slots.length; i++) this.order[i] = slots[i] as number;
    this.orderLen = slots.length;
    this.header[H_ORDER_LEN] = this.orderLen;
  }

  private grow(cap: number, keyCap: number, scalarCap: number): void {
    const rowsGrow = cap !== this.cap;
    const num = rowsGrow ? this.arena.f64(cap * NUM_STRIDE) : this.num;
    const ints = rowsGrow ? this.arena.i32(cap * INT_STRIDE) : this.ints;
    const order = rowsGrow ? this.arena.i32(cap) : this.order;
    const labelsBuf = sab(cap * keyCap * 4);
    const scalBuf = sab(cap * scalarCap * 2 * 8);
    const labels = new Int32Array(labelsBuf);
    const scal = new Float64Array(scalBuf);
    if (rowsGrow) {
      num.set(this.num);
      ints.set(this.ints);
      order.set(this.order.subarray(0, this.orderLen));
    }
    for (let s = 0; s < this.slotCount; s++) {
      for (let k = 0; k < this.keyCap; k++) labels[s * keyCap + k] = this.labels[s * this.keyCap + k] as number;
      for (let j = 0; j < this.scalarCap * 2; j++) {
        scal[s * scalarCap * 2 + j] = this.scal[s * this.scalarCap * 2 + j] as number;
      }
    }
    this.num = num;
    this.ints = ints;
    this.labels = labels;
    this.scal = scal;
    this.order = order;
    this.buffers = this.describe(this.buffers.header, labelsBuf, scalBuf);
    this.cap = cap;
    this.keyCap = keyCap;
    this.scalarCap = scalarCap;
    this.writeHeader(true);
  }

  // -------------------------------------------------------------------------------------------
  // Labels

  /** The id of a label key, interning it (and widening the label matrix) when new. */
  keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keyNames.length;
      this.keyIds.set(key, id);
      this.keyNames.push(key);
      this.valueIds.push(new Map());
      this.valueNames.push([""]);
      if (id >= this.keyCap) this.grow(this.cap, this.keyCap * 2, this.scalarCap);
    }
    return id;
  }

  /** The id of a key, or -1 when no node ever had it. */
  knownKeyId(key: string): number {
    return this.keyIds.get(key) ?? -1;
  }

  keyName(id: number): string {
    return this.keyNames[id] as string;
  }

  /** The id of a value of a key (from 1), interning it when new. */
  valueId(keyId: number, value: string): number {
    const m = this.valueIds[keyId] as Map<string, number>;
    let id = m.get(value);
    if (id === undefined) {
      const names = this.valueNames[keyId] as string[];
      id = names.length;
      names.push(value);
      m.set(value, id);
    }
    return id;
  }

  /** The id of a value, or 0 when no node ever had it. */
  knownValueId(keyId: number, value: string): number {
    return this.valueIds[keyId]?.get(value) ?? 0;
  }

  /** Number of value ids of a key, plus one (the size of a truth table over them). */
  valueSpan(keyId: number): number {
    return (this.valueNames[keyId] as string[]).length;
  }

  valueName(keyId: number, id: number): string {
    return (this.valueNames[keyId] as string[])[id] as string;
  }

  /** Writes a slot's labels (clearing the previous ones). */
  setLabels(slot: number, labels: Readonly<Record<string, string>> | undefined): void {
    for (const k of Object.keys(labels ?? {})) this.keyId(k);
    const base = slot * this.keyCap;
    this.labels.fill(0, base, base + this.keyCap);
    if (labels === undefined) return;
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v !== "string") continue;
      const kid = this.keyId(k);
      this.labels[slot * this.keyCap + kid] = this.valueId(kid, v);
    }
  }

  /** The value id of a key on a slot (0 = absent); -1 keys are absent everywhere. */
  label(slot: number, keyId: number): number {
    return keyId < 0 ? 0 : (this.labels[slot * this.keyCap + keyId] as number);
  }

  // -------------------------------------------------------------------------------------------
  // Scalar resources

  scalarId(name: string): number {
    let id = this.scalarIds.get(name);
    if (id === undefined) {
      id = this.scalarNames.length;
      this.scalarIds.set(name, id);
      this.scalarNames.push(name);
      if (id >= this.scalarCap) this.grow(this.cap, this.keyCap, this.scalarCap * 2);
    }
    return id;
  }

  knownScalarId(name: string): number {
    return this.scalarIds.get(name) ?? -1;
  }

  scalarName(id: number): string {
    return this.scalarNames[id] as string;
  }

  get scalarCount(): number {
    return this.scalarNames.length;
  }

  scalarAlloc(slot: number, id: number): number {
    return this.scal[(slot * this.scalarCap + id) * 2] as number;
  }

  scalarRequested(slot: number, id: number): number {
    return this.scal[(slot * this.scalarCap + id) * 2 + 1] as number;
  }

  setScalarAlloc(slot: number, id: number, v: number): void {
    this.scal[(slot * this.scalarCap + id) * 2] = v;
  }

  addScalarRequested(slot: number, id: number, dv: number): void {
    const i = (slot * this.scalarCap + id) * 2 + 1;
    this.scal[i] = (this.scal[i] as number) + dv;
  }

  // -------------------------------------------------------------------------------------------
  // Rows

  getNum(slot: number, col: number): number {
    return this.num[slot * NUM_STRIDE + col] as number;
  }

  setNum(slot: number, col: number, v: number): void {
    this.num[slot * NUM_STRIDE + col] = v;
  }

  addNum(slot: number, col: number, dv: number): void {
    const i = slot * NUM_STRIDE + col;
    this.num[i] = (this.num[i] as number) + dv;
  }

  getInt(slot: number, col: number): number {
    return this.ints[slot * INT_STRIDE + col] as number;
  }

  setInt(slot: number, col: number, v: number): void {
    this.ints[slot * INT_STRIDE + col] = v;
  }
}
