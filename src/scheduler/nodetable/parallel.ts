/**
 * Filter and Score on worker threads. piscina spawns and owns the workers; each runs one
 * long-lived task (worker.ts) that waits on its own word of a SharedArrayBuffer control block,
 * so handing a scan to the workers costs one Atomics.notify (~17 µs for a futex round trip
 * measured in js-perf.md §4, less while a worker still spins after its previous shard, against
 * ~50 µs for a piscina task per pod) and the simulation loop stays synchronous. The main thread
 * scans the first shard itself while the workers scan theirs.
 *
 * Balance: a scan's positions are split into contiguous chunks (several per thread) that the
 * threads take as they go, the main thread from the front and the workers from the back. On a
 * VM each vCPU's speed moves on its own (measured: by up to ~1.8x from one second to the next)
 * and a worker can start late, so a fixed half each left the faster thread waiting for the
 * slower one; with chunks the slower one takes fewer.
 *
 * Determinism: every chunk runs the same kernel functions over the same table and program and
 * writes its own positions of the shared result arrays (and, for the fused pass, its own
 * selection summary, region k for chunk k); the main thread merges in scan order and applies
 * the cut-off, normalization and selection. Which thread ran a chunk changes nothing, so the
 * results are identical whatever the number of workers, and identical to SerialEvaluator
 * (tests check this).
 *
 * `parallelism` in KubeSchedulerConfiguration means goroutines and only feeds the cost model;
 * worker threads are kubesim's `evaluatorThreads` setting.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import type { ScanBuffers } from "./buffers.js";
import type { Evaluator } from "./evaluator.js";
import { filterRange, fusedPrepare, fusedShard, scanStats, scoreRange } from "./kernel.js";
import type { Program } from "./program.js";
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
  CTL_SIZE,
  CTL_SLEEPS,
  CTL_SPIN,
  CTL_START,
  CTL_TO,
  CTL_VERSION,
  CTL_WAKE,
  CTL_WORKER_CHUNKS,
  MAX_CHUNKS,
  MAX_WORKERS,
  type WorkerLayout,
} from "./protocol.js";
import type { NodeTable } from "./table.js";
import type { FusedWasm } from "./wasm-kernel.js";

export interface ParallelOptions {
  /** Worker threads (≥ 1). */
  threads: number;
  /** "auto": only scans of at least `thresholdNodes` positions go to the workers; "always": every scan. */
  mode?: "auto" | "always";
  thresholdNodes?: number;
  /** The main thread also scans a shard (default true). */
  mainShare?: boolean;
  /**
   * Workers woken for a scan. Default: all of them, but with the main thread sharing no more
   * than cores − 1 (more threads than cores only adds hand-offs and preemption).
   */
  activeThreads?: number;
  /**
   * Atomics.load iterations a worker spins after a shard before sleeping (default 2,000,000,
   * some 1–4 ms: scans of one scheduling burst come every few hundred µs, and waking a sleeping
   * worker costs 60–100 µs on this kind of VM, measured).
   */
  spin?: number;
}

/** Locates worker.js next to this module (compiled), or transpiles it from the sources (vitest). */
async function workerFile(): Promise<string> {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new URL("./worker.js", here).href;
  const ts = await import("typescript");
  const dir = dirname(fileURLToPath(here));
  const files = new Map<string, string>();
  const visit = (name: string) => {
    if (files.has(name)) return;
    const src = readFileSync(join(dir, `${name}.ts`), "utf8");
    files.set(name, src);
    for (const m of src.matchAll(/from "\.\/([\w-]+)\.js"/g)) visit(m[1] as string);
  };
  visit("worker");
  const hash = createHash("sha256");
  for (const [n, s] of [...files].sort()) hash.update(n).update(s);
  const out = join(tmpdir(), `kubesim-worker-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(join(out, "worker.js"))) {
    mkdirSync(out, { recursive: true });
    for (const [n, s] of files) {
      const js = ts.transpileModule(s, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      writeFileSync(join(out, `${n}.js`), js);
    }
    writeFileSync(join(out, "package.json"), '{"type":"module"}\n');
  }
  return pathToFileURL(join(out, "worker.js")).href;
}

export class ParallelEvaluator implements Evaluator {
  readonly threads: number;
  /** Workers woken for each scan (the others stay asleep). */
  readonly activeThreads: number;
  readonly mode: "auto" | "always";
  readonly thresholdNodes: number;
  readonly mainShare: boolean;
  parallelCalls = 0;
  collected = -1;
  private readonly ctl: Int32Array;
  private readonly ports: MessagePort[] = [];
  private readonly pool: Piscina;
  private readonly tasks: Promise<unknown>[] = [];
  private version = 0;
  private closed = false;
  /** A worker's chunk threw: no more scans go to the workers. */
  private failed = false;
  // What the workers were last sent (compared field by field: no allocation per scan).
  private sentTable: unknown;
  private sentPi: unknown;
  private sentPf: unknown;
  private sentOut: unknown;
  private sentSel: unknown;
  private sentScores: unknown;
  private sentStride = -1;
  // What the main thread's chunks of the current scan run on (set by begin).
  private table: NodeTable | undefined;
  private prog: Program | undefined;
  private buf: ScanBuffers | undefined;
  private list: Int32Array | undefined;
  private start = 0;
  private len = 0;
  private fused: FusedWasm | undefined;
  // The main thread's chunks of a fused pass: rows 1 and 2 of the current scores buffer.
  private rowsOf: Float64Array | undefined;
  private totalsRow: Float64Array = new Float64Array(0);
  private taintRow: Float64Array = new Float64Array(0);
  private readonly weights = new Float64Array(4);
  // auto mode's measurements of fused scans (ms per position, 0 = not measured yet).
  private scans = 0;
  private nsParallel = 0;
  private nsSerial = 0;

  private constructor(pool: Piscina, ctl: Int32Array, opts: ParallelOptions) {
    this.pool = pool;
    this.ctl = ctl;
    this.threads = opts.threads;
    this.mode = opts.mode ?? "auto";
    this.thresholdNodes = opts.thresholdNodes ?? 6000;
    this.mainShare = opts.mainShare ?? true;
    const cores = availableParallelism();
    const fair = this.mainShare ? Math.max(1, cores - 1) : cores;
    this.activeThreads = Math.max(1, Math.min(this.threads, Math.floor(opts.activeThreads ?? fair)));
  }

  /** Starts `threads` workers and waits until each is ready. */
  static async create(opts: ParallelOptions): Promise<ParallelEvaluator> {
    const threads = Math.max(1, Math.min(MAX_WORKERS, Math.floor(opts.threads)));
    const filename = await workerFile();
    const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 2 ** 31 - 1 });
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_SIZE * 4));
    ctl[CTL_SPIN] = Math.max(0, Math.floor(opts.spin ?? 2_000_000));
    const ev = new ParallelEvaluator(pool, ctl, { ...opts, threads });
    for (let i = 0; i < threads; i++) {
      const { port1, port2 } = new MessageChannel();
      ev.ports.push(port1);
      ev.tasks.push(pool.run({ control: ctl.buffer, port: port2, index: i }, { transferList: [port2] }));
    }
    // Startup takes tens of ms; give up after ~30 s of 2 ms polls.
    for (let i = 0; Atomics.load(ctl, CTL_READY) < threads; i++) {
      if (i > 15_000) throw new Error("scan workers did not start within 30 s");
      await new Promise((r) => setTimeout(r, 2));
    }
    for (const w of pool.threads) w.unref();
    for (const p of ev.ports) p.unref();
    return ev;
  }

  /** Chunks the worker threads ran so far (the main thread runs the rest). */
  get workerChunks(): number {
    return Atomics.load(this.ctl, CTL_WORKER_CHUNKS);
  }

  /** Times the workers went to sleep so far (for tests). */
  get workerSleeps(): number {
    return Atomics.load(this.ctl, CTL_SLEEPS);
  }

  /**
   * The scheduler has nothing to schedule: workers still spinning after their last chunk go to
   * sleep now instead of holding a core for another few ms (they wake on the next scan).
   */
  idle(): void {
    Atomics.add(this.ctl, CTL_PARK, 1);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ctl = this.ctl;
    awaitIdle(ctl, this.threads);
    Atomics.store(ctl, CTL_CMD, CMD_EXIT);
    for (let w = 0; w < this.threads; w++) {
      Atomics.add(ctl, CTL_WAKE + w, 1);
      Atomics.notify(ctl, CTL_WAKE + w);
    }
    await Promise.all(this.tasks);
    for (const p of this.ports) p.close();
    await this.pool.destroy();
  }

  /** Threads that take chunks of a scan. */
  private get sharing(): number {
    return this.activeThreads + (this.mainShare ? 1 : 0);
  }

  private worth(positions: number): boolean {
    if (this.closed || this.failed) return false;
    return this.mode === "always" ? positions >= 2 * this.sharing : positions >= this.thresholdNodes;
  }

  /**
   * Chunks for a scan of `positions`: about CHUNK_POSITIONS each (a few tens of µs of kernel
   * time, so the per-chunk call costs little), at least CHUNKS_PER_THREAD per sharing thread
   * so the split can follow the threads' speeds, at most MAX_CHUNKS.
   */
  private chunksFor(positions: number): number {
    const want = Math.max(CHUNKS_PER_THREAD * this.sharing, Math.ceil(positions / CHUNK_POSITIONS));
    return Math.max(1, Math.min(MAX_CHUNKS, positions, want));
  }

  private sync(t: NodeTable, p: Program, buf: ScanBuffers): void {
    const tb = t.sharedBuffers;
    const pb = p.sharedBuffers;
    if (
      tb === this.sentTable &&
      pb.pi === this.sentPi &&
      pb.pf === this.sentPf &&
      buf.filterOut === this.sentOut &&
      buf.scores === this.sentScores &&
      buf.sel === this.sentSel &&
      buf.stride === this.sentStride
    ) {
      return;
    }
    this.sentTable = tb;
    this.sentPi = pb.pi;
    this.sentPf = pb.pf;
    this.sentOut = buf.filterOut;
    this.sentScores = buf.scores;
    this.sentSel = buf.sel;
    this.sentStride = buf.stride;
    this.version++;
    const inArena = buf.arena !== undefined && buf.arena === t.arena;
    const layout: WorkerLayout = {
      version: this.version,
      table: tb,
      prog: pb,
      scan: {
        filterOut: refOf(buf.filterOut, inArena),
        scanList: refOf(buf.scanList, inArena),
        feasible: refOf(buf.feasible, inArena),
        scores: refOf(buf.scores, inArena),
        sel: refOf(buf.sel, inArena),
        stride: buf.stride,
      },
    };
    for (const port of this.ports) port.postMessage(layout);
    Atomics.store(this.ctl, CTL_VERSION, this.version);
  }

  /**
   * Splits [from, to) into `chunks` contiguous chunks (the last may be shorter), wakes the
   * active workers, takes chunks from the front on the main thread (when it shares) while the
   * workers take them from the back, and returns once all are finished: the number of chunks.
   */
  private dispatch(cmd: number, from: number, to: number, chunks: number, local: ChunkRunner): number {
    const ctl = this.ctl;
    const active = this.activeThreads;
    // (begin already waited until no worker looks at the previous scan's chunks.)
    const size = Math.ceil((to - from) / chunks);
    const n = Math.ceil((to - from) / size);
    ctl[CTL_FROM] = from;
    ctl[CTL_TO] = to;
    ctl[CTL_CHUNK] = size;
    ctl[CTL_CHUNKS] = n;
    Atomics.store(ctl, CTL_CMD, cmd);
    Atomics.store(ctl, CTL_COMPLETED, 0);
    Atomics.store(ctl, CTL_CLAIM, n << 16);
    for (let w = 0; w < active; w++) {
      Atomics.add(ctl, CTL_WAKE + w, 1);
      Atomics.notify(ctl, CTL_WAKE + w);
    }
    if (this.mainShare) {
      for (let k = claimFirst(ctl); k >= 0; k = claimFirst(ctl)) {
        const a = from + k * size;
        local.run(a, Math.min(to, a + size), k);
        Atomics.add(ctl, CTL_COMPLETED, 1);
      }
    }
    awaitCompleted(ctl, n);
    if (Atomics.load(ctl, CTL_FAILED) !== 0) {
      this.failed = true;
      throw new Error("a scan worker failed (its error is on stderr): the evaluator cannot be used any more");
    }
    this.parallelCalls++;
    return n;
  }

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
    const remaining = to - from;
    // Positions to filter in parallel: a little more than `need` when the scan may stop early.
    const span = need <= 0 || need >= remaining ? remaining : Math.min(remaining, Math.ceil(need * 1.25) + 64);
    const list = listed ? buf.scanList : undefined;
    this.collected = -1;
    if (!this.worth(span)) {
      const feas = feasAt === undefined ? undefined : buf.feasible;
      const end = filterRange(t, p, list, start, len, from, to, buf.filterOut, need, feas, feasAt ?? 0);
      if (feasAt !== undefined && scanStats.deferred === 0) this.collected = scanStats.feasible;
      return end;
    }
    this.begin(t, p, buf, start, len);
    this.ctl[CTL_LISTED] = listed ? 1 : 0;
    this.list = list;
    const end = from + span;
    this.dispatch(CMD_FILTER, from, end, this.chunksFor(span), this.filterRunner);
    return end;
  }

  fusedScan(
    t: NodeTable,
    p: Program,
    buf: ScanBuffers,
    start: number,
    len: number,
    from: number,
    to: number,
    wOff: number,
  ): number {
    if (!this.worth(to - from)) return 0;
    // auto mode measures both ways and keeps the faster (probing the other every PROBE scans):
    // on a machine whose other cores are busy the hand-off only adds latency. The choice
    // changes which thread computes, never the results.
    const auto = this.mode === "auto";
    const goParallel = !auto || this.chooseParallel();
    const chunks = goParallel ? this.chunksFor(to - from) : 1;
    buf.ensureSel(chunks);
    this.begin(t, p, buf, start, len);
    this.ctl[CTL_N] = wOff;
    if (this.rowsOf !== buf.scores) {
      const stride = buf.stride;
      this.rowsOf = buf.scores;
      this.totalsRow = buf.scores.subarray(stride, 2 * stride);
      this.taintRow = buf.scores.subarray(2 * stride, 3 * stride);
    }
    const w = this.weights;
    for (let k = 0; k < 4; k++) w[k] = p.pf[wOff + k] as number;
    this.fused = fusedPrepare(t, p, w, buf.filterOut, buf.feasible, this.totalsRow, this.taintRow, buf.sel);
    const t0 = auto ? performance.now() : 0;
    const regions = goParallel ? this.dispatch(CMD_FUSED, from, to, chunks, this.fusedRunner) : 1;
    if (!goParallel) this.fusedChunk(from, to, 0);
    if (auto) this.record(goParallel, (performance.now() - t0) / (to - from));
    return regions;
  }

  /** auto mode: parallel unless the measured time per position says the main thread alone is faster. */
  private chooseParallel(): boolean {
    this.scans++;
    if (this.nsParallel === 0) return true;
    if (this.nsSerial === 0) return false;
    const best = this.nsParallel <= this.nsSerial;
    // The first scans run while the JIT is still compiling the kernels on each thread: probe
    // more often then, so an early unlucky measurement does not hold for long.
    return this.scans % (this.scans < PROBE * PROBE ? PROBE / 4 : PROBE) === 0 ? !best : best;
  }

  /** Exponentially weighted time per position of the way just taken. */
  private record(parallel: boolean, perPosition: number): void {
    if (parallel) this.nsParallel = this.nsParallel === 0 ? perPosition : 0.8 * this.nsParallel + 0.2 * perPosition;
    else this.nsSerial = this.nsSerial === 0 ? perPosition : 0.8 * this.nsSerial + 0.2 * perPosition;
  }

  score(t: NodeTable, p: Program, buf: ScanBuffers, n: number): void {
    if (!this.worth(n)) {
      scoreRange(t, p, buf.feasible, 0, n, buf.scores, buf.stride);
      return;
    }
    this.begin(t, p, buf, 0, 0);
    this.dispatch(CMD_SCORE, 0, n, this.chunksFor(n), this.scoreRunner);
  }

  /**
   * Before a scan's parameters are written: waits until no worker still looks at the previous
   * scan's chunks, sends the workers any reallocated buffers and records what the main
   * thread's chunks run on.
   */
  private begin(t: NodeTable, p: Program, buf: ScanBuffers, start: number, len: number): void {
    awaitIdle(this.ctl, this.activeThreads);
    this.sync(t, p, buf);
    this.ctl[CTL_START] = start;
    this.ctl[CTL_LEN] = len;
    this.table = t;
    this.prog = p;
    this.buf = buf;
    this.start = start;
    this.len = len;
  }

  /** The main thread's share of a fused pass: chunk k (fusedScan prepared the pass). */
  private fusedChunk(a: number, b: number, k: number): void {
    const buf = this.buf as ScanBuffers;
    fusedShard(
      this.fused,
      this.table as NodeTable,
      this.prog as Program,
      this.start,
      this.len,
      a,
      b,
      buf.filterOut,
      buf.feasible,
      this.totalsRow,
      this.taintRow,
      buf.sel,
      k,
    );
  }

  private readonly fusedRunner: ChunkRunner = { run: (a, b, k) => this.fusedChunk(a, b, k) };
  private readonly filterRunner: ChunkRunner = {
    run: (a, b) => {
      const buf = this.buf as ScanBuffers;
      filterRange(
        this.table as NodeTable,
        this.prog as Program,
        this.list,
        this.start,
        this.len,
        a,
        b,
        buf.filterOut,
        0,
      );
    },
  };
  private readonly scoreRunner: ChunkRunner = {
    run: (a, b) => {
      const buf = this.buf as ScanBuffers;
      scoreRange(this.table as NodeTable, this.prog as Program, buf.feasible, a, b, buf.scores, buf.stride);
    },
  };
}

/** What the main thread runs for chunk k, positions [a, b). */
interface ChunkRunner {
  run(a: number, b: number, k: number): void;
}

/** Takes the first chunk not yet taken (−1 when none is left). */
function claimFirst(ctl: Int32Array): number {
  for (;;) {
    const w = Atomics.load(ctl, CTL_CLAIM);
    const first = w & 0xffff;
    if (first >= w >>> 16) return -1;
    if (Atomics.compareExchange(ctl, CTL_CLAIM, w, w + 1) === w) return first;
  }
}

/**
 * Waits until all `n` chunks are finished: spins briefly (the workers' last chunks are usually
 * about done), then sleeps. A function of its own so that its loops never make V8 compile
 * dispatch on-stack (see kernel.ts FUSED_CHUNK).
 */
function awaitCompleted(ctl: Int32Array, n: number): void {
  for (let k = 0; k < 20_000; k++) if (Atomics.load(ctl, CTL_COMPLETED) >= n) return;
  let stalled = 0;
  let seen = -1;
  for (;;) {
    const d = Atomics.load(ctl, CTL_COMPLETED);
    if (d >= n) return;
    if (d !== seen) {
      seen = d;
      stalled = 0;
    }
    if (Atomics.wait(ctl, CTL_COMPLETED, d, WAIT_SLICE_MS) === "timed-out" && ++stalled > STALL_SLICES) {
      throw new Error(
        `scan workers stopped responding: ${n - d} of ${n} chunks unfinished after ${STALL_SLICES / 10} s`,
      );
    }
  }
}

/** Waits until none of the first `workers` workers is looking at a scan's chunks (CTL_ACTIVE). */
function awaitIdle(ctl: Int32Array, workers: number): void {
  for (let w = 0; w < workers; w++) {
    let stalled = 0;
    for (let k = 0; Atomics.load(ctl, CTL_ACTIVE + w) !== 0; k++) {
      if (k < 20_000) continue;
      if (Atomics.wait(ctl, CTL_ACTIVE + w, 1, WAIT_SLICE_MS) === "timed-out" && ++stalled > STALL_SLICES) {
        throw new Error(`scan worker ${w} stopped responding: still busy after ${STALL_SLICES / 10} s`);
      }
    }
  }
}

/** A sleeping wait for the workers is cut into slices of this many ms... */
const WAIT_SLICE_MS = 100;
/** ...and gives up after this many slices without progress (60 s: a chunk takes well under 1 s). */
const STALL_SLICES = 600;

/** Positions per chunk aimed at (~10–40 µs of the fused pass; 1,024 beat 512, 2,048 and 4,096 in paired runs). */
const CHUNK_POSITIONS = 1024;
/** Fewest chunks per sharing thread, so that the split can follow the threads' speeds. */
const CHUNKS_PER_THREAD = 4;

/** auto mode re-measures the way it did not choose once every PROBE fused scans. */
const PROBE = 32;

/**
 * The evaluator a configuration asks for (`kubesim.evaluatorThreads`): 0 → undefined (serial);
 * "auto" → cores − 1 workers (at least 1) used only for scans of at least
 * `parallelThresholdNodes` positions; N → N workers for every scan. The main thread always
 * takes a shard. Close it when done.
 */
export async function createEvaluator(opts: {
  evaluatorThreads: "auto" | number;
  parallelThresholdNodes: number;
}): Promise<ParallelEvaluator | undefined> {
  if (opts.evaluatorThreads === 0) return undefined;
  if (opts.evaluatorThreads === "auto") {
    const cores = availableParallelism();
    if (cores < 2) return undefined;
    return ParallelEvaluator.create({ threads: cores - 1, mode: "auto", thresholdNodes: opts.parallelThresholdNodes });
  }
  return ParallelEvaluator.create({ threads: opts.evaluatorThreads, mode: "always" });
}

/** How a worker finds a typed array (see protocol.ts ArrayRef). */
function refOf(a: Int32Array | Float64Array, inArena: boolean): ArrayRef {
  return { buffer: a.buffer as SharedArrayBuffer, at: a.byteOffset, length: a.length, inArena };
}
