/**
 * Filter and Score on worker threads. piscina spawns and owns the workers; each runs one
 * long-lived task (worker.ts) that waits on a SharedArrayBuffer control block, so handing a
 * scan to the workers costs one Atomics.notify/wait round trip (~17 µs measured in js-perf.md
 * §4, against ~50 µs for a piscina task per pod) and the simulation loop stays synchronous.
 *
 * Determinism: a scan's positions are split into contiguous shards; every shard runs the same
 * kernel functions over the same table and program and writes its own positions of the shared
 * result arrays; the main thread merges in scan order and applies the cut-off, normalization
 * and selection. So the results are identical whatever the number of workers, and identical to
 * SerialEvaluator (tests check this).
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
import { filterRange, fusedBasic, scanStats, scoreRange } from "./kernel.js";
import type { Program } from "./program.js";
import {
  CMD_EXIT,
  CMD_FILTER,
  CMD_FUSED,
  CMD_SCORE,
  CTL_CMD,
  CTL_DONE,
  CTL_LEN,
  CTL_LISTED,
  CTL_N,
  CTL_RANGES,
  CTL_READY,
  CTL_SEQ,
  CTL_SIZE,
  CTL_START,
  CTL_VERSION,
  MAX_WORKERS,
  type WorkerLayout,
} from "./protocol.js";
import type { NodeTable } from "./table.js";

export interface ParallelOptions {
  /** Worker threads (≥ 1). */
  threads: number;
  /** "auto": only scans of at least `thresholdNodes` positions go to the workers; "always": every scan. */
  mode?: "auto" | "always";
  thresholdNodes?: number;
  /** The main thread also scans a shard; default: when threads < cores. */
  mainShare?: boolean;
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
  private sent: unknown[] = [];
  private closed = false;

  private constructor(pool: Piscina, ctl: Int32Array, opts: ParallelOptions) {
    this.pool = pool;
    this.ctl = ctl;
    this.threads = opts.threads;
    this.mode = opts.mode ?? "auto";
    this.thresholdNodes = opts.thresholdNodes ?? 6000;
    this.mainShare = opts.mainShare ?? opts.threads < availableParallelism();
  }

  /** Starts `threads` workers and waits until each is ready. */
  static async create(opts: ParallelOptions): Promise<ParallelEvaluator> {
    const threads = Math.max(1, Math.min(MAX_WORKERS, Math.floor(opts.threads)));
    const filename = await workerFile();
    const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 2 ** 31 - 1 });
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_SIZE * 4));
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

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, CTL_DONE, 0);
    Atomics.store(this.ctl, CTL_CMD, CMD_EXIT);
    Atomics.add(this.ctl, CTL_SEQ, 1);
    Atomics.notify(this.ctl, CTL_SEQ);
    await Promise.all(this.tasks);
    for (const p of this.ports) p.close();
    await this.pool.destroy();
  }

  private worth(positions: number): boolean {
    if (this.closed) return false;
    return this.mode === "always" ? positions >= 2 * (this.threads + 1) : positions >= this.thresholdNodes;
  }

  private sync(t: NodeTable, p: Program, buf: ScanBuffers): void {
    const tb = t.sharedBuffers;
    const pb = p.sharedBuffers;
    const now = [tb, pb.pi, pb.pf, buf.filterOut.buffer, buf.scores.buffer, buf.stride];
    if (now.length === this.sent.length && now.every((x, i) => x === this.sent[i])) return;
    this.sent = now;
    this.version++;
    const layout: WorkerLayout = {
      version: this.version,
      table: tb,
      prog: pb,
      scan: {
        filterOut: buf.filterOut.buffer as SharedArrayBuffer,
        scanList: buf.scanList.buffer as SharedArrayBuffer,
        feasible: buf.feasible.buffer as SharedArrayBuffer,
        scores: buf.scores.buffer as SharedArrayBuffer,
        stride: buf.stride,
      },
    };
    for (const port of this.ports) port.postMessage(layout);
    Atomics.store(this.ctl, CTL_VERSION, this.version);
  }

  /** Splits [from, to) into shards, runs the workers' shards and (optionally) one locally. */
  private dispatch(cmd: number, from: number, to: number, local: (a: number, b: number) => void): void {
    const ctl = this.ctl;
    const shards = this.threads + (this.mainShare ? 1 : 0);
    const size = Math.ceil((to - from) / shards);
    const bounds = (k: number): [number, number] => [
      Math.min(to, from + k * size),
      Math.min(to, from + (k + 1) * size),
    ];
    for (let w = 0; w < this.threads; w++) {
      const [a, b] = bounds(this.mainShare ? w + 1 : w);
      ctl[CTL_RANGES + 2 * w] = a;
      ctl[CTL_RANGES + 2 * w + 1] = b;
    }
    Atomics.store(ctl, CTL_DONE, 0);
    Atomics.store(ctl, CTL_CMD, cmd);
    Atomics.add(ctl, CTL_SEQ, 1);
    Atomics.notify(ctl, CTL_SEQ);
    if (this.mainShare) {
      const [a, b] = bounds(0);
      local(a, b);
    }
    for (;;) {
      const d = Atomics.load(ctl, CTL_DONE);
      if (d >= this.threads) break;
      Atomics.wait(ctl, CTL_DONE, d);
    }
    this.parallelCalls++;
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
    const chunk = need <= 0 || need >= remaining ? remaining : Math.min(remaining, Math.ceil(need * 1.25) + 64);
    const list = listed ? buf.scanList : undefined;
    this.collected = -1;
    if (!this.worth(chunk)) {
      const feas = feasAt === undefined ? undefined : buf.feasible;
      const end = filterRange(t, p, list, start, len, from, to, buf.filterOut, need, feas, feasAt ?? 0);
      if (feasAt !== undefined && scanStats.deferred === 0) this.collected = scanStats.feasible;
      return end;
    }
    this.sync(t, p, buf);
    const ctl = this.ctl;
    ctl[CTL_LISTED] = listed ? 1 : 0;
    ctl[CTL_START] = start;
    ctl[CTL_LEN] = len;
    const end = from + chunk;
    this.dispatch(CMD_FILTER, from, end, (a, b) => {
      filterRange(t, p, list, start, len, a, b, buf.filterOut, 0);
    });
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
  ): boolean {
    if (!this.worth(to - from)) return false;
    this.sync(t, p, buf);
    const ctl = this.ctl;
    ctl[CTL_START] = start;
    ctl[CTL_LEN] = len;
    ctl[CTL_N] = wOff;
    const stride = buf.stride;
    const w = p.pf.subarray(wOff, wOff + 4);
    this.dispatch(CMD_FUSED, from, to, (a, b) => {
      fusedBasic(
        t,
        p,
        start,
        len,
        a,
        b,
        buf.filterOut,
        0,
        buf.feasible,
        0,
        buf.scores.subarray(stride, 2 * stride),
        buf.scores.subarray(2 * stride, 3 * stride),
        w,
        true,
      );
    });
    return true;
  }

  score(t: NodeTable, p: Program, buf: ScanBuffers, n: number): void {
    if (!this.worth(n)) {
      scoreRange(t, p, buf.feasible, 0, n, buf.scores, buf.stride);
      return;
    }
    this.sync(t, p, buf);
    this.ctl[CTL_N] = n;
    this.dispatch(CMD_SCORE, 0, n, (a, b) => scoreRange(t, p, buf.feasible, a, b, buf.scores, buf.stride));
  }
}

/**
 * The evaluator a configuration asks for (`kubesim.evaluatorThreads`): 0 → undefined (serial);
 * "auto" → cores − 1 workers (at least 1) used only for scans of at least
 * `parallelThresholdNodes` positions, with the main thread taking a shard; N → N workers for
 * every scan. Close it when done.
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
