// The fused pass's selection summary (kernel fusedBasic + framework replaySelect) must pick the
// same node with the same draws from the selectHost stream as the general path (Score,
// NormalizeScore, a walk over every total), serially and sharded over worker threads.
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/engine/rng.js";
import { SchedulerCache } from "../../src/scheduler/cache/cache.js";
import { PodInfo } from "../../src/scheduler/cache/pod-info.js";
import { defaultSchedulerConfig, readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { type CycleEnv, Framework, replaySelect } from "../../src/scheduler/framework/framework.js";
import { type Evaluator, SerialEvaluator } from "../../src/scheduler/nodetable/evaluator.js";
import { scanStats } from "../../src/scheduler/nodetable/kernel.js";
import {
  SEL_BEST,
  SEL_COUNT,
  SEL_FEASIBLE,
  SEL_FINAL,
  SEL_LEVELS,
  SEL_NLEVELS,
  SEL_REGION,
} from "../../src/scheduler/nodetable/layout.js";
import { ParallelEvaluator } from "../../src/scheduler/nodetable/parallel.js";
import { cycleEnvFor, makeNode, makePod } from "./fixtures.js";

/** Kernels of the fused pass: "wasm" when the scan buffers share the table's arena. */
type Kernel = "wasm" | "js";

function envFor(cache: SchedulerCache, evaluator: Evaluator, pct: number, kernel: Kernel = "js"): CycleEnv {
  return cycleEnvFor(cache, { seed: 7, pct, kernel, evaluator });
}

/** Nodes of a few shapes (many tied totals), some full or tainted, some with running pods. */
function cluster(n: number, opts: { identical?: boolean; soft?: boolean }): SchedulerCache {
  const rng = new Rng(3, "test/selection-summary");
  const cache = new SchedulerCache();
  for (let i = 0; i < n; i++) {
    const cores = opts.identical === true ? 8 : 4 * (1 + rng.int(3));
    const taints = [];
    if (opts.identical !== true && rng.bool(0.05)) taints.push({ key: "hard", value: "", effect: "NoSchedule" });
    if (opts.soft === true && rng.bool(0.1)) taints.push({ key: "soft", value: "", effect: "PreferNoSchedule" });
    const node = makeNode(`n${i}`, {
      cpu: String(cores),
      memory: `${cores * 4}Gi`,
      zone: `z${i % 3}`,
      ...(taints.length > 0 ? { taints } : {}),
    });
    cache.addNode(node);
    if (opts.identical !== true && rng.bool(0.3)) {
      const p = makePod(`run-${i}`, { cpu: `${500 * (1 + rng.int(4))}m`, memory: `${1 + rng.int(4)}Gi` });
      p.spec.nodeName = `n${i}`;
      cache.addOrUpdateAssignedPod(p);
    }
  }
  return cache;
}

const evaluators: ParallelEvaluator[] = [];
afterAll(async () => {
  for (const e of evaluators) await e.close();
});

async function compare(cache: SchedulerCache, pct: number, threads: number, kernel: Kernel): Promise<void> {
  const fw = new Framework(defaultSchedulerConfig().profiles[0] as never, cache);
  let evaluator: Evaluator = new SerialEvaluator();
  if (threads > 0) {
    const ev = await ParallelEvaluator.create({ threads, mode: "always", activeThreads: threads });
    evaluators.push(ev);
    evaluator = ev;
  }
  const fast = envFor(cache, evaluator, pct, kernel);
  const passes = scanStats.wasmPasses;
  const general = envFor(cache, new SerialEvaluator(), pct);
  const rng = new Rng(5, "test/pods");
  for (let k = 0; k < 150; k++) {
    const pod = makePod(`p${k}`, { cpu: `${100 * (1 + rng.int(20))}m`, memory: `${128 * (1 + rng.int(8))}Mi` });
    const a = fw.schedulePod(fast, new PodInfo(pod));
    // trace = true takes the general path (PreScore, Score, NormalizeScore, a walk over totals).
    const b = fw.schedulePod(general, new PodInfo(pod), true);
    expect(a.node, `pod ${k}`).toBe(b.node);
    expect(a.feasibleNodes).toBe(b.feasibleNodes);
    expect(fast.nextStartNodeIndex).toBe(general.nextStartNodeIndex);
    // The same number of draws was taken from the stream.
    expect(fast.hostRng.int(1 << 30)).toBe(general.hostRng.int(1 << 30));
  }
  // The WebAssembly pass really ran (and the JavaScript one when asked for).
  if (kernel === "wasm") expect(scanStats.wasmPasses).toBeGreaterThan(passes);
  else expect(scanStats.wasmPasses).toBe(passes);
}

describe.each(["js", "wasm"] as const)("selection summary (%s fused pass)", (kernel) => {
  for (const pct of [0, 100]) {
    it(`matches the general path (percentageOfNodesToScore ${pct})`, async () => {
      await compare(cluster(400, {}), pct, 0, kernel);
    });
  }

  it("falls back to the general walk when PreferNoSchedule taints make TaintToleration vary", async () => {
    await compare(cluster(400, { soft: true }), 100, 0, kernel);
  });

  it("finds the pick when more nodes tie than the summary keeps positions of (1,500 identical nodes)", async () => {
    await compare(cluster(1500, { identical: true }), 100, 0, kernel);
    await compare(cluster(1500, { identical: true }), 0, 0, kernel);
  });

  it("finds the pick among more ties than kept, sharded over the main thread and 1 or 2 workers", async () => {
    for (const threads of [1, 2]) await compare(cluster(3000, { identical: true }), 100, threads, kernel);
  }, 60_000);

  it("matches with the pass sharded over the main thread and 1, 2 or 3 workers", async () => {
    for (const threads of [1, 2, 3]) {
      await compare(cluster(600, {}), 100, threads, kernel);
      await compare(cluster(300, { soft: true }), 100, threads, kernel);
    }
  }, 60_000);
});

describe("selection summary", () => {
  it("replays reservoir sampling across shards with the same draws as one walk", () => {
    const rng = new Rng(9, "test/totals");
    for (let round = 0; round < 200; round++) {
      const n = 1 + rng.int(60);
      const totals = Array.from({ length: n }, () => rng.int(4));
      const cuts = [0, ...Array.from({ length: rng.int(4) }, () => rng.int(n + 1)).sort((x, y) => x - y), n];
      // Build the regions the way the kernel does (layout.ts SEL_*), positions = indices.
      const sel = new Float64Array(SEL_REGION * (cuts.length - 1));
      for (let r = 0; r + 1 < cuts.length; r++) {
        const b = r * SEL_REGION;
        let best = Number.NEGATIVE_INFINITY;
        let count = 0;
        let levels = 0;
        for (let i = cuts[r] as number; i < (cuts[r + 1] as number); i++) {
          const t = totals[i] as number;
          if (t < best) continue;
          if (t > best) {
            if (count > 0) {
              sel[b + SEL_LEVELS + 2 * levels] = best;
              sel[b + SEL_LEVELS + 2 * levels + 1] = count;
              levels++;
            }
            best = t;
            count = 0;
          }
          sel[b + SEL_FINAL + count++] = i;
        }
        sel[b + SEL_FEASIBLE] = (cuts[r + 1] as number) - (cuts[r] as number);
        sel[b + SEL_NLEVELS] = levels;
        sel[b + SEL_BEST] = best;
        sel[b + SEL_COUNT] = count;
      }
      const a = new Rng(round, "x");
      const b = new Rng(round, "x");
      // The reference: selectHost's walk over all totals.
      let best = Number.NEGATIVE_INFINITY;
      let count = 0;
      let pick = 0;
      for (let i = 0; i < n; i++) {
        const t = totals[i] as number;
        if (t > best) {
          best = t;
          count = 1;
          pick = i;
        } else if (t === best) {
          count++;
          if (b.int(count) === 0) pick = i;
        }
      }
      expect(replaySelect(sel, cuts.length - 1, a)).toBe(pick);
      expect(a.int(1 << 30)).toBe(b.int(1 << 30));
    }
  });

  it("keeps decisions when auto mode measures and switches between workers and the main thread", async () => {
    const ev = await ParallelEvaluator.create({ threads: 1, mode: "auto", thresholdNodes: 100 });
    evaluators.push(ev);
    const cache = cluster(500, {});
    const fw = new Framework(
      readSchedulerConfig({
        apiVersion: "kubescheduler.config.k8s.io/v1",
        kind: "KubeSchedulerConfiguration",
        percentageOfNodesToScore: 100,
      }).profiles[0] as never,
      cache,
    );
    const a = envFor(cache, ev, 100);
    const b = envFor(cache, new SerialEvaluator(), 100);
    for (let k = 0; k < 200; k++) {
      const pod = new PodInfo(makePod(`q${k}`, { cpu: `${100 * (1 + (k % 7))}m` }));
      expect(fw.schedulePod(a, pod).node).toBe(fw.schedulePod(b, pod).node);
    }
    expect(ev.parallelCalls).toBeGreaterThan(0);
  }, 60_000);
});
