/**
 * Scan worker (run by piscina): one long-running task per worker thread that waits on its wake
 * word in the control block, evaluates its shard of the node table with the same kernel as the
 * main thread and writes results into the shared scan buffers. Workers only return data; the
 * main thread merges shards in scan order and decides.
 */
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { filterRange, fusedPrepare, fusedShard, scoreRange } from "./kernel.js";
import { H_ORDER_LEN } from "./layout.js";
import {
  type ArrayRef,
  CMD_EXIT,
  CMD_FILTER,
  CMD_FUSED,
  CMD_SCORE,
  CTL_ACTIVE,
  CTL_CHUNK,
  CTL_CHUNKS,
  CTL_CLAIM,
  CTL_CMD,
  CTL_COMPLETED,
  CTL_FAILED,
  CTL_FROM,
  CTL_LEN,
  CTL_LISTED,
  CTL_N,
  CTL_PARK,
  CTL_READY,
  CTL_SLEEPS,
  CTL_SPIN,
  CTL_START,
  CTL_TO,
  CTL_VERSION,
  CTL_WAKE,
  CTL_WORKER_CHUNKS,
  type WorkerLayout,
} from "./protocol.js";
import { type ProgramView, type TableView, viewOf } from "./views.js";
import type { FusedWasm } from "./wasm-kernel.js";

interface Task {
  control: SharedArrayBuffer;
  port: MessagePort;
  index: number;
}

interface Views {
  version: number;
  t: TableView & { header: Int32Array };
  p: ProgramView;
  filterOut: Int32Array;
  scanList: Int32Array;
  feasible: Int32Array;
  scores: Float64Array;
  totals: Float64Array;
  taintRaw: Float64Array;
  sel: Float64Array;
  stride: number;
  weights: Float64Array;
  /** This scan's prepared WebAssembly pass (undefined: the JavaScript one), set once per scan. */
  fused: FusedWasm | undefined;
}

function build(l: WorkerLayout): Views {
  const t = viewOf(l.table);
  const a = t.arena;
  const i32 = (r: ArrayRef) =>
    r.inArena && a !== undefined ? a.i32At(r.at, r.length) : new Int32Array(r.buffer, r.at, r.length);
  const f64 = (r: ArrayRef) =>
    r.inArena && a !== undefined ? a.f64At(r.at, r.length) : new Float64Array(r.buffer, r.at, r.length);
  const scores = f64(l.scan.scores);
  const stride = l.scan.stride;
  return {
    version: l.version,
    t,
    p: { pi: new Int32Array(l.prog.pi), pf: new Float64Array(l.prog.pf) },
    filterOut: i32(l.scan.filterOut),
    scanList: i32(l.scan.scanList),
    feasible: i32(l.scan.feasible),
    scores,
    totals: scores.subarray(stride, 2 * stride),
    taintRaw: scores.subarray(2 * stride, 3 * stride),
    sel: f64(l.scan.sel),
    stride,
    weights: new Float64Array(4),
    fused: undefined,
  };
}

/**
 * The wake word once it differs from `seen`, or `seen` after CTL_SPIN loads or once the main
 * thread parks the workers (CTL_PARK moves from `park`). A function of its own: see kernel.ts
 * FUSED_CHUNK.
 */
function spinFor(ctl: Int32Array, wake: number, seen: number, park: number): number {
  for (let k = Atomics.load(ctl, CTL_SPIN); k > 0; k--) {
    const seq = Atomics.load(ctl, wake);
    if (seq !== seen) return seq;
    if (Atomics.load(ctl, CTL_PARK) !== park) break;
  }
  return Atomics.load(ctl, wake);
}

/** Takes the last chunk not yet taken (−1 when none is left). */
function claimLast(ctl: Int32Array): number {
  for (;;) {
    const w = Atomics.load(ctl, CTL_CLAIM);
    const end = w >>> 16;
    if ((w & 0xffff) >= end) return -1;
    if (Atomics.compareExchange(ctl, CTL_CLAIM, w, w - 0x10000) === w) return end - 1;
  }
}

/** Decodes the current fused scan's parameters once, for all the chunks this worker takes. */
function prepareFused(ctl: Int32Array, views: Views): void {
  const wOff = ctl[CTL_N] as number;
  const w = views.weights;
  const pf = views.p.pf;
  for (let j = 0; j < 4; j++) w[j] = pf[wOff + j] as number;
  views.fused = fusedPrepare(
    views.t,
    views.p,
    w,
    views.filterOut,
    views.feasible,
    views.totals,
    views.taintRaw,
    views.sel,
  );
}

/** Runs chunk k of the current scan. */
function runChunk(ctl: Int32Array, views: Views, cmd: number, k: number): void {
  const size = ctl[CTL_CHUNK] as number;
  const from = (ctl[CTL_FROM] as number) + k * size;
  const to = Math.min(ctl[CTL_TO] as number, from + size);
  if (cmd === CMD_FILTER) {
    const listed = ctl[CTL_LISTED] === 1;
    filterRange(
      views.t,
      views.p,
      listed ? views.scanList : undefined,
      ctl[CTL_START] as number,
      ctl[CTL_LEN] as number,
      from,
      to,
      views.filterOut,
      0,
    );
  } else if (cmd === CMD_FUSED) {
    fusedShard(
      views.fused,
      views.t,
      views.p,
      ctl[CTL_START] as number,
      ctl[CTL_LEN] as number,
      from,
      to,
      views.filterOut,
      views.feasible,
      views.totals,
      views.taintRaw,
      views.sel,
      k,
    );
  } else if (cmd === CMD_SCORE) {
    scoreRange(views.t, views.p, views.feasible, from, to, views.scores, views.stride);
  }
}

export default function serve(task: Task): string {
  const ctl = new Int32Array(task.control);
  const wake = CTL_WAKE + task.index;
  const active = CTL_ACTIVE + task.index;
  let views: Views | undefined;
  let seen = Atomics.load(ctl, wake);
  let park = Atomics.load(ctl, CTL_PARK);
  Atomics.add(ctl, CTL_READY, 1);
  Atomics.notify(ctl, CTL_READY);
  for (;;) {
    // Spin first (CTL_SPIN loads, 1–4 ms by default, cut short when the scheduler goes idle):
    // the next scan of a scheduling burst follows within a few hundred µs, and waking from
    // Atomics.wait cost 60–100 µs in the scheduler benchmark on this VM (js-perf.md §4
    // measured ~8 µs for a bare futex round trip).
    const seq = spinFor(ctl, wake, seen, park);
    if (seq === seen) {
      Atomics.add(ctl, CTL_SLEEPS, 1);
      Atomics.wait(ctl, wake, seen);
      continue;
    }
    seen = seq;
    // An idle() from here on (after this scan) cuts the next spin short.
    park = Atomics.load(ctl, CTL_PARK);
    if (Atomics.load(ctl, CTL_CMD) === CMD_EXIT) return "exit";
    // Announce before looking at the chunks: from here on the main thread leaves the scan's
    // parameters alone, so whatever chunk this worker takes, it read that scan's parameters.
    Atomics.store(ctl, active, 1);
    const first = Atomics.load(ctl, CTL_CLAIM);
    if ((first & 0xffff) < first >>> 16) {
      const cmd = Atomics.load(ctl, CTL_CMD);
      const want = Atomics.load(ctl, CTL_VERSION);
      while (views === undefined || views.version !== want) {
        const m = receiveMessageOnPort(task.port);
        if (m === undefined) {
          Atomics.wait(ctl, wake, seq, 1);
          continue;
        }
        views = build(m.message as WorkerLayout);
      }
      // Sizes may have changed without a reallocation.
      views.t.orderLen = views.t.header[H_ORDER_LEN] as number;
      const chunks = ctl[CTL_CHUNKS] as number;
      // A fused scan's parameters are decoded once, before this worker's first chunk.
      let prepared = cmd !== CMD_FUSED;
      let failed = false;
      for (let k = claimLast(ctl); k >= 0; k = claimLast(ctl)) {
        if (!failed) {
          try {
            if (!prepared) {
              prepareFused(ctl, views);
              prepared = true;
            }
            runChunk(ctl, views, cmd, k);
          } catch (e) {
            // Never leave the main thread waiting for chunks that will not run: count them,
            // flag the scan as failed (the main thread throws) and say why here, once.
            console.error(`kubesim scan worker ${task.index}: chunk ${k} failed:`, e);
            Atomics.store(ctl, CTL_FAILED, 1);
            failed = true;
          }
        }
        Atomics.add(ctl, CTL_WORKER_CHUNKS, 1);
        if (Atomics.add(ctl, CTL_COMPLETED, 1) + 1 === chunks) Atomics.notify(ctl, CTL_COMPLETED);
      }
    }
    Atomics.store(ctl, active, 0);
    Atomics.notify(ctl, active);
  }
}
