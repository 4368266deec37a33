// ParallelEvaluator's chunk hand-off: which thread runs a chunk never changes a decision, the
// workers really take chunks (all of them when the main thread only waits), and idle() sends
// spinning workers to sleep.
import { afterAll, describe, expect, it } from "vitest";
import { SchedulerCache } from "../../src/scheduler/cache/cache.js";
import { PodInfo } from "../../src/scheduler/cache/pod-info.js";
import { readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { type CycleEnv, Framework } from "../../src/scheduler/framework/framework.js";
import { type Evaluator, SerialEvaluator } from "../../src/scheduler/nodetable/evaluator.js";
import { ParallelEvaluator } from "../../src/scheduler/nodetable/parallel.js";
import { cycleEnvFor, makeNode, makePod } from "./fixtures.js";

const evaluators: ParallelEvaluator[] = [];
afterAll(async () => {
  for (const e of evaluators) await e.close();
});

async function evaluator(opts: Parameters<typeof ParallelEvaluator.create>[0]): Promise<ParallelEvaluator> {
  const ev = await ParallelEvaluator.create(opts);
  evaluators.push(ev);
  return ev;
}

function cluster(n: number): SchedulerCache {
  const cache = new SchedulerCache();
  for (let i = 0; i < n; i++) {
    const cores = 4 * (1 + (i % 5));
    cache.addNode(makeNode(`n${i}`, { cpu: String(cores), memory: `${cores * 4}Gi`, zone: `z${i % 3}` }));
  }
  return cache;
}

function envFor(cache: SchedulerCache, ev: Evaluator): CycleEnv {
  return cycleEnvFor(cache, { seed: 9, pct: 100, kernel: "wasm", evaluator: ev });
}

const framework = (cache: SchedulerCache) =>
  new Framework(
    readSchedulerConfig({
      apiVersion: "kubescheduler.config.k8s.io/v1",
      kind: "KubeSchedulerConfiguration",
      percentageOfNodesToScore: 100,
    }).profiles[0] as never,
    cache,
  );

/** Schedules `pods` pods through both environments (assuming each on its node) and compares. */
function sameDecisions(cache: SchedulerCache, ev: Evaluator, pods: number): void {
  const fw = framework(cache);
  const other = cluster(cache.nodes.size);
  const fwSerial = framework(other);
  const a = envFor(cache, ev);
  const b = envFor(other, new SerialEvaluator());
  for (let k = 0; k < pods; k++) {
    const pod = makePod(`p${k}`, { cpu: `${200 * (1 + (k % 9))}m`, memory: `${256 * (1 + (k % 5))}Mi` });
    const x = fw.schedulePod(a, new PodInfo(pod));
    const y = fwSerial.schedulePod(b, new PodInfo(pod));
    expect(x.node, `pod ${k}`).toBe(y.node);
    expect(x.feasibleNodes).toBe(y.feasibleNodes);
    // Place the pod, so that later pods see a fuller cluster.
    for (const c of [cache, other]) c.addOrUpdateAssignedPod({ ...pod, spec: { ...pod.spec, nodeName: x.node } });
  }
}

describe("ParallelEvaluator chunks", () => {
  it("decides as the serial path whichever thread takes a chunk (many chunks per scan)", async () => {
    const ev = await evaluator({ threads: 2, mode: "always", activeThreads: 2 });
    const cache = cluster(3000);
    const before = ev.parallelCalls;
    sameDecisions(cache, ev, 120);
    expect(ev.parallelCalls - before).toBe(120);
    expect(ev.workerChunks).toBeGreaterThan(0);
  }, 60_000);

  it("runs every chunk on a worker when the main thread only waits", async () => {
    const ev = await evaluator({ threads: 1, mode: "always", mainShare: false });
    const cache = cluster(1000);
    sameDecisions(cache, ev, 40);
    // 1,000 positions, one sharing thread: at least 4 chunks per scan, all on the worker.
    expect(ev.workerChunks).toBeGreaterThanOrEqual(4 * ev.parallelCalls);
  }, 60_000);

  it("also when the workers sleep between scans and wake late (no spin)", async () => {
    const ev = await evaluator({ threads: 3, mode: "always", activeThreads: 3, spin: 0 });
    const slept = ev.workerSleeps;
    sameDecisions(cluster(2000), ev, 80);
    // Each worker slept after (nearly) every scan it saw.
    expect(ev.workerSleeps - slept).toBeGreaterThan(40);
  }, 60_000);

  it("throws, instead of waiting forever, when a worker's chunk fails", async () => {
    const ev = await evaluator({ threads: 1, mode: "always", mainShare: false });
    const cache = cluster(200);
    const env = envFor(cache, ev);
    // A real scan first, so that the program holds a pod and the workers have the buffers.
    framework(cache).schedulePod(env, new PodInfo(makePod("x", { cpu: "100m" })));
    const wOff = env.prog.allocF(4);
    env.prog.pf.set([1, 1, 3, 0], wOff);
    // Positions far beyond the arena: the WebAssembly pass traps on the worker (which prints
    // "memory access out of bounds" to stderr).
    const huge = 100_000_000;
    expect(() => ev.fusedScan(env.cache.table, env.prog, env.buffers, 0, huge, 0, huge, wOff)).toThrow(
      /a scan worker failed/,
    );
    // The evaluator refuses further scans: the framework's serial path takes over.
    expect(ev.fusedScan(env.cache.table, env.prog, env.buffers, 0, 200, 0, 200, wOff)).toBe(0);
  }, 30_000);

  it("idle() sends workers spinning after a scan to sleep", async () => {
    // A spin of 2^31 − 1 loads lasts seconds; without idle() the worker would not sleep soon.
    const ev = await evaluator({ threads: 1, mode: "always", spin: 0x7fffffff });
    const cache = cluster(500);
    const fw = framework(cache);
    const env = envFor(cache, ev);
    const slept = ev.workerSleeps;
    fw.schedulePod(env, new PodInfo(makePod("x", { cpu: "100m" })));
    expect(ev.parallelCalls).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(ev.workerSleeps).toBe(slept);
    ev.idle();
    const t0 = performance.now();
    while (ev.workerSleeps === slept && performance.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 5));
    expect(ev.workerSleeps).toBe(slept + 1);
    // And it wakes for the next scan.
    fw.schedulePod(env, new PodInfo(makePod("y", { cpu: "100m" })));
    expect(ev.parallelCalls).toBe(2);
  }, 30_000);
});
