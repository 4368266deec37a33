/** The typed-array views the kernel reads; built on the main thread and, from the same SABs, in workers. */
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
}

export interface ProgramView {
  pi: Int32Array;
  pf: Float64Array;
}

/** The SharedArrayBuffers behind a table, as sent to workers. */
export interface TableBuffers {
  header: SharedArrayBuffer;
  num: SharedArrayBuffer;
  ints: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  scal: SharedArrayBuffer;
  order: SharedArrayBuffer;
}

export interface ProgramBuffers {
  pi: SharedArrayBuffer;
  pf: SharedArrayBuffer;
}

/** Builds a view over buffers (worker side); sizes come from the header. */
export function viewOf(b: TableBuffers): TableView & { header: Int32Array } {
  const header = new Int32Array(b.header, 0, H_SIZE);
  const cap = header[H_CAP] as number;
  return {
    header,
    num: new Float64Array(b.num, 0, cap * NUM_STRIDE),
    ints: new Int32Array(b.ints, 0, cap * INT_STRIDE),
    labels: new Int32Array(b.labels),
    scal: new Float64Array(b.scal),
    order: new Int32Array(b.order),
    keyCap: header[H_KEYCAP] as number,
    scalarCap: header[H_SCALARCAP] as number,
    orderLen: header[H_ORDER_LEN] as number,
  };
}
