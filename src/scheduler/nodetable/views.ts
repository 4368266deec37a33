/** The typed-array views the kernel reads; built on the main thread and, from the same SABs, in workers. */
import { KernelArena } from "./arena.js";
import { H_CAP, H_KEYCAP, H_ORDER_LEN, H_SCALARCAP, H_SIZE, INT_STRIDE, NUM_STRIDE } from "./layout.js";

export interface TableView {
  num: Float64Array;
  ints: Int32Array;
  labels: Int32Array;
  scal: Float64Array;
  order: Int32Array;
  keyCap: number;
  scalarCap: number;
  orderLen: number;
  /** The arena holding num, ints and order, when they are in one (then the WebAssembly pass runs). */
  arena?: KernelArena;
}

export interface ProgramView {
  pi: Int32Array;
  pf: Float64Array;
}

/** The shared memory behind a table, as sent to workers: num, ints and order are arena regions. */
export interface TableBuffers {
  header: SharedArrayBuffer;
  memory: WebAssembly.Memory;
  numAt: number;
  intsAt: number;
  orderAt: number;
  labels: SharedArrayBuffer;
  scal: SharedArrayBuffer;
}

export interface ProgramBuffers {
  pi: SharedArrayBuffer;
  pf: SharedArrayBuffer;
}

/** Builds a view over buffers (worker side); sizes come from the header. */
export function viewOf(b: TableBuffers): TableView & { header: Int32Array } {
  const header = new Int32Array(b.header, 0, H_SIZE);
  const cap = header[H_CAP] as number;
  const arena = KernelArena.attach(b.memory);
  return {
    header,
    arena,
    num: arena.f64At(b.numAt, cap * NUM_STRIDE),
    ints: arena.i32At(b.intsAt, cap * INT_STRIDE),
    labels: new Int32Array(b.labels),
    scal: new Float64Array(b.scal),
    order: arena.i32At(b.orderAt, cap),
    keyCap: header[H_KEYCAP] as number,
    scalarCap: header[H_SCALARCAP] as number,
    orderLen: header[H_ORDER_LEN] as number,
  };
}
