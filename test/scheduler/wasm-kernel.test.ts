// The WebAssembly fused pass (src/scheduler/nodetable/fused.wat) against the JavaScript one:
// the same buffers bit for bit over random clusters, pods and profiles; the arena it works in;
// and the generated module matching its source.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error -- a plain .mjs build script without type declarations
import { compileFused, renderFused } from "../../scripts/build-wasm.mjs";
import type { Taint } from "../../src/api/types/core.js";
import { Rng } from "../../src/engine/rng.js";
import { Simulation } from "../../src/engine/simulation.js";
import { SchedulerCache } from "../../src/scheduler/cache/cache.js";
import { PodInfo } from "../../src/scheduler/cache/pod-info.js";
import { readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import type { Profile } from "../../src/scheduler/config/types.js";
import { newCycleEnv } from "../../src/scheduler/framework/cycle-env.js";
import { type CycleEnv, Framework } from "../../src/scheduler/framework/framework.js";
import { KernelArena } from "../../src/scheduler/nodetable/arena.js";
import { scanStats } from "../../src/scheduler/nodetable/kernel.js";
import { makeNode, makePod } from "./fixtures.js";

function env(cache: SchedulerCache, pct: number, fusedKernel: "wasm" | "js"): CycleEnv {
  const sim = new Simulation({ seed: 11 });
  return newCycleEnv({
    cache,
    rng: (stream) => sim.rng(`kube-scheduler/${stream}`),
    percentageOfNodesToScore: pct,
    nodes: 16,
    fusedKernel,
  });
}

/** Nodes of many shapes: full, tainted (hard and soft), unschedulable, without memory, big and small. */
function cluster(n: number, rng: Rng): SchedulerCache {
  const cache = new SchedulerCache();
  for (let i = 0; i < n; i++) {
    const cores = 1 + rng.int(64);
    const taints: Taint[] = [];
    if (rng.bool(0.06)) taints.push({ key: "hard", value: "x", effect: "NoSchedule" });
    if (rng.bool(0.1)) taints.push({ key: "soft", value: "", effect: "PreferNoSchedule" });
    if (rng.bool(0.03)) taints.push({ key: "gone", value: "", effect: "NoExecute" });
    const node = makeNode(`n${i}`, {
      cpu: rng.bool(0.02) ? "0" : rng.bool(0.3) ? `${cores * 1000 + rng.int(999)}m` : String(cores),
      memory: rng.bool(0.02) ? "0" : `${1 + rng.int(512)}Gi`,
      pods: String(rng.bool(0.05) ? 1 : 110),
      zone: `z${i % 4}`,
      unschedulable: rng.bool(0.03),
      extra: { "ephemeral-storage": `${10 + rng.int(100)}Gi` },
      ...(taints.length > 0 ? { taints } : {}),
    });
    cache.addNode(node);
    for (let k = rng.int(4); k > 0; k--) {
      const p = makePod(`run-${i}-${k}`, {
        cpu: `${100 * (1 + rng.int(cores * 4))}m`,
        memory: `${256 * (1 + rng.int(64))}Mi`,
        nodeName: `n${i}`,
      });
      cache.addOrUpdateAssignedPod(p);
    }
  }
  return cache;
}

function randomPod(k: number, rng: Rng, nodes: number) {
  const tolerations = [];
  if (rng.bool(0.2)) tolerations.push({ key: "hard", operator: "Exists" as const, effect: "NoSchedule" as const });
  if (rng.bool(0.1)) tolerations.push({ key: "soft", operator: "Exists" as const });
  const pod = makePod(`p${k}`, {
    ...(rng.bool(0.9) ? { cpu: `${50 * (1 + rng.int(80))}m` } : {}),
    ...(rng.bool(0.9) ? { memory: `${64 * (1 + rng.int(200))}Mi` } : {}),
    ...(tolerations.length > 0 ? { tolerations } : {}),
  });
  const c = pod.spec.containers[0];
  if (c !== undefined && rng.bool(0.15)) {
    c.resources = { requests: { ...(c.resources?.requests ?? {}), "ephemeral-storage": `${1 + rng.int(40)}Gi` } };
  }
  if (rng.bool(0.05)) pod.spec.nodeName = "";
  if (rng.bool(0.03)) pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: "Exists" }];
  if (rng.bool(0.04)) pod.spec.nodeSelector = {};
  if (rng.bool(0.03)) pod.metadata.name = `p${k}-on-${rng.int(nodes)}`;
  return pod;
}

const PROFILES: Record<string, string> = {
  default: "",
  mostAllocated: `
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources: [{ name: cpu, weight: 1 }, { name: memory, weight: 1 }]`,
  unevenWeights: `
    plugins:
      multiPoint:
        enabled:
          - { name: NodeResourcesFit, weight: 3 }
          - { name: TaintToleration, weight: 7 }
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: LeastAllocated
            resources: [{ name: cpu, weight: 3 }, { name: memory, weight: 2 }]`,
  noBalanced: `
    plugins:
      multiPoint:
        disabled: [{ name: NodeResourcesBalancedAllocation }, { name: ImageLocality }]`,
};

function profile(extra: string): Profile {
  const text = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler${extra}
`;
  const cfg = readSchedulerConfig(parse(text));
  return cfg.profiles[0] as Profile;
}

describe("fused pass: WebAssembly against JavaScript", () => {
  for (const [name, extra] of Object.entries(PROFILES)) {
    for (const pct of [100, 0, 30]) {
      it(`writes the same results (${name} profile, percentageOfNodesToScore ${pct})`, () => {
        const rng = new Rng(21, `test/wasm/${name}/${pct}`);
        const n = 700;
        const cache = cluster(n, rng);
        const fw = new Framework(profile(extra), cache);
        const w = env(cache, pct, "wasm");
        const j = env(cache, pct, "js");
        const passes = scanStats.wasmPasses;
        for (let k = 0; k < 120; k++) {
          const pod = randomPod(k, rng, n);
          const a = fw.schedulePod(w, new PodInfo(pod));
          const b = fw.schedulePod(j, new PodInfo(pod));
          expect(a.node, `pod ${k}`).toBe(b.node);
          expect(a.feasibleNodes).toBe(b.feasibleNodes);
          expect(a.evaluatedNodes).toBe(b.evaluatedNodes);
          expect(a.status.code).toBe(b.status.code);
          expect(w.nextStartNodeIndex).toBe(j.nextStartNodeIndex);
          const evaluated = a.evaluatedNodes ?? 0;
          expect(Array.from(w.buffers.filterOut.subarray(0, evaluated))).toEqual(
            Array.from(j.buffers.filterOut.subarray(0, evaluated)),
          );
          const f = a.feasibleNodes ?? 0;
          expect(Array.from(w.buffers.feasible.subarray(0, f))).toEqual(Array.from(j.buffers.feasible.subarray(0, f)));
          expect(Array.from(w.buffers.totals(f).subarray(0, f))).toEqual(
            Array.from(j.buffers.totals(f).subarray(0, f)),
          );
          expect(w.hostRng.int(1 << 30)).toBe(j.hostRng.int(1 << 30));
          // Let the cluster fill up: place the pod where both put it.
          if (a.node !== undefined && a.node !== "") {
            const placed = { ...pod, spec: { ...pod.spec, nodeName: a.node } };
            cache.addOrUpdateAssignedPod(placed);
          }
        }
        expect(scanStats.wasmPasses).toBeGreaterThan(passes);
      });
    }
  }

  it("gives an unschedulable pod the general path's diagnosis (failures left pending are computed then)", () => {
    const rng = new Rng(4, "test/wasm/unschedulable");
    const cache = cluster(300, rng);
    const fw = new Framework(profile(""), cache);
    for (const kernel of ["wasm", "js"] as const) {
      const fused = env(cache, 100, kernel);
      const general = env(cache, 100, "js");
      for (const [k, size] of [
        [0, { cpu: "500", memory: "1Gi" }],
        [1, { cpu: "70", memory: "100Gi" }],
        [2, { cpu: "100m", memory: "4Ti" }],
      ] as const) {
        const pod = makePod(`big-${k}`, size);
        const a = fw.schedulePod(fused, new PodInfo(pod));
        const b = fw.schedulePod(general, new PodInfo(pod), true);
        expect(a.node).toBeUndefined();
        expect(a.status.code).toBe(b.status.code);
        expect(a.status.reasons).toEqual(b.status.reasons);
        expect([...(a.diagnosis?.nodeToStatus ?? new Map())].map(([n, s]) => [n, s.code, s.reasons, s.plugin])).toEqual(
          [...(b.diagnosis?.nodeToStatus ?? new Map())].map(([n, s]) => [n, s.code, s.reasons, s.plugin]),
        );
        expect(a.status.reasons[0]).toMatch(/0\/300 nodes are available/);
      }
    }
  });

  it("stays in JavaScript when ImageLocality has images to score", () => {
    const cache = new SchedulerCache();
    for (let i = 0; i < 50; i++) {
      cache.addNode(
        makeNode(`n${i}`, { images: i % 2 === 0 ? [{ names: ["app:1"], sizeBytes: 500 * 1024 * 1024 }] : [] }),
      );
    }
    const fw = new Framework(profile(""), cache);
    const w = env(cache, 100, "wasm");
    const j = env(cache, 100, "js");
    const passes = scanStats.wasmPasses;
    const pod = makePod("img", { cpu: "100m", image: "app:1" });
    const a = fw.schedulePod(w, new PodInfo(pod));
    const b = fw.schedulePod(j, new PodInfo(pod));
    expect(a.node).toBe(b.node);
    expect(Number((a.node ?? "n1").slice(1)) % 2).toBe(0);
    expect(scanStats.wasmPasses).toBe(passes);
  });
});

describe("kernel arena", () => {
  it("hands out zeroed, 64-byte aligned regions that stay valid while the memory grows", () => {
    const arena = KernelArena.create(64 * 1024);
    const a = arena.f64(100);
    a.fill(1.5);
    const b = arena.i32(7);
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 800);
    const big = arena.f64(1 << 20); // 8 MiB: the memory grows
    expect(Array.from(big.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(a[99]).toBe(1.5);
    expect(arena.owns(a)).toBe(true);
    expect(arena.owns(big)).toBe(true);
    expect(arena.owns(new Float64Array(4))).toBe(false);
    expect(KernelArena.create().owns(a)).toBe(false);
  });

  it("lets another view of the same memory (a worker's) allocate after the first one", () => {
    const arena = KernelArena.create();
    const a = arena.i32(10);
    const other = KernelArena.attach(arena.memory);
    const b = other.i32(10);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 40);
    const seen = other.i32At(a.byteOffset, 10);
    a[3] = 42;
    expect(seen[3]).toBe(42);
  });

  it("refuses a region beyond its maximum with a clear error", () => {
    const arena = KernelArena.create();
    expect(() => arena.alloc(2 ** 31)).toThrow(/kernel arena: .* bytes needed, above its \d+-byte maximum/);
  });
});

describe("generated WebAssembly module", () => {
  it("is fused.wat compiled (run `npm run build:wasm` after editing the .wat)", async () => {
    const bytes: Buffer = await compileFused();
    const committed = readFileSync(new URL("../../src/scheduler/nodetable/fused-wasm.ts", import.meta.url), "utf8");
    expect(committed).toBe(renderFused(bytes));
  });
});
