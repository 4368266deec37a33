import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/engine/simulation.js";
import { SchedulerCache } from "../../src/scheduler/cache/cache.js";
import { PodInfo } from "../../src/scheduler/cache/pod-info.js";
import { defaultSchedulerConfig, readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { explain } from "../../src/scheduler/explain.js";
import { type CycleEnv, Framework, numFeasibleNodesToFind } from "../../src/scheduler/framework/framework.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { cycleEnvFor, FakeApi, makeNode, makePod } from "./fixtures.js";

function envFor(cache: SchedulerCache, seed = 1): CycleEnv {
  return cycleEnvFor(cache, { seed, pct: 0, kernel: "js" });
}

describe("numFeasibleNodesToFind (schedule_one.go and its test table)", () => {
  it.each([
    [0, 10, 10],
    [0, 1000, 420],
    [0, 6000, 300],
    [40, 1000, 400],
    [40, 6000, 2400],
    [0, 5000, 500],
    [0, 99, 99],
    [0, 100, 100],
    [0, 20000, 1000],
    [0, 100000, 5000],
    [100, 5000, 5000],
    [1, 1000, 100],
  ])("pct %i of %i nodes → %i", (pct, n, want) => {
    expect(numFeasibleNodesToFind(pct, n)).toBe(want);
  });
});

describe("node list order", () => {
  it("interleaves zones in order of first appearance (node_tree.go)", () => {
    const c = new SchedulerCache();
    for (const [name, zone] of [
      ["a1", "a"],
      ["a2", "a"],
      ["a3", "a"],
      ["b1", "b"],
      ["c1", "c"],
      ["c2", "c"],
    ] as const) {
      c.addNode(makeNode(name, { zone }));
    }
    expect(c.nodeList().map((r) => r.name)).toEqual(["a1", "b1", "c1", "a2", "c2", "a3"]);
    c.removeNode("b1");
    c.addNode(makeNode("b2", { zone: "b" }));
    // Zone b emptied and came back last.
    expect(c.nodeList().map((r) => r.name)).toEqual(["a1", "c1", "b2", "a2", "c2", "a3"]);
  });

  it("advances nextStartNodeIndex by the nodes processed, round robin", () => {
    const sim = new Simulation({ seed: 1 });
    const api = new FakeApi(sim);
    const s = new Scheduler(sim, "kube-scheduler", api);
    for (let i = 0; i < 200; i++) s.onNodeAdd(makeNode(`n${i}`));
    s.start();
    s.onPodAdd(makePod("p0"));
    sim.runUntil(1_000_000);
    // 200 nodes: max(100, 200·49/100) = 100 feasible nodes are found, then the scan stops.
    expect(s.nextStartNodeIndex).toBe(100);
    s.onPodAdd(makePod("p1"));
    sim.runUntil(2_000_000);
    expect(s.nextStartNodeIndex).toBe(0);
  });

  it("counts rejected nodes among the processed ones", () => {
    const cache = new SchedulerCache();
    for (let i = 0; i < 150; i++) cache.addNode(makeNode(`n${i}`, i < 30 ? { cpu: "100m" } : {}));
    const fw = new Framework(defaultSchedulerConfig().profiles[0] as never, cache);
    const env = envFor(cache);
    const r = fw.schedulePod(env, new PodInfo(makePod("p", { cpu: "1" })));
    // 30 rejected + 100 feasible.
    expect(r.feasibleNodes).toBe(100);
    expect(env.nextStartNodeIndex).toBe(130);
  });
});

describe("selectHost", () => {
  it("takes the only feasible node without scoring", () => {
    const e = explain(
      { nodes: [makeNode("a", { cpu: "100m" }), makeNode("b")], pods: [] },
      makePod("p", { cpu: "1" }),
      defaultSchedulerConfig(),
    );
    expect(e.selectedNode).toBe("b");
    expect(e.preScore).toEqual([]);
    expect(e.why).toBe("selected: the only feasible node (scoring skipped)");
  });

  it("normalizes over the feasible nodes only", () => {
    const soft = (k: string) => ({ key: k, value: "", effect: "PreferNoSchedule" });
    const nodes = [
      makeNode("zero"),
      makeNode("one", { taints: [soft("a")] }),
      makeNode("blocked", {
        taints: [soft("a"), soft("b"), soft("c"), soft("d"), { key: "hard", value: "", effect: "NoSchedule" }],
      }),
    ];
    const e = explain({ nodes, pods: [] }, makePod("p"), defaultSchedulerConfig());
    const t = (n: string) =>
      e.nodes.find((x) => x.name === n)?.scores?.find((s) => s.plugin === "TaintToleration")?.normalized;
    expect([t("zero"), t("one")]).toEqual([100, 0]);
  });

  it("picks uniformly among tied nodes from the seeded stream (reservoir sampling)", () => {
    const cache = new SchedulerCache();
    for (let i = 0; i < 4; i++) cache.addNode(makeNode(`n${i}`));
    const fw = new Framework(defaultSchedulerConfig().profiles[0] as never, cache);
    const env = envFor(cache, 42);
    const counts = new Map<string, number>();
    const picks: string[] = [];
    for (let k = 0; k < 4000; k++) {
      const r = fw.schedulePod(env, new PodInfo(makePod(`p${k}`)));
      picks.push(r.node as string);
      counts.set(r.node as string, (counts.get(r.node as string) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
    const again = envFor(cache, 42);
    const picks2: string[] = [];
    for (let k = 0; k < 4000; k++) picks2.push(fw.schedulePod(again, new PodInfo(makePod(`p${k}`))).node as string);
    expect(picks2).toEqual(picks);
  });

  it("evaluates the nominated node first and uses it when it passes", () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode("big", { cpu: "64" }));
    cache.addNode(makeNode("small", { cpu: "2" }));
    const fw = new Framework(defaultSchedulerConfig().profiles[0] as never, cache);
    const p = makePod("p", { cpu: "1" });
    p.status = { nominatedNodeName: "small" };
    const r = fw.schedulePod(envFor(cache), new PodInfo(p));
    expect(r.node).toBe("small");
    expect(r.evaluatedNodes).toBe(1);
  });

  it("honours a profile's percentageOfNodesToScore over the global one", () => {
    const config = readSchedulerConfig({
      apiVersion: "kubescheduler.config.k8s.io/v1",
      kind: "KubeSchedulerConfiguration",
      percentageOfNodesToScore: 10,
      profiles: [{ percentageOfNodesToScore: 100 }],
    });
    const nodes = Array.from({ length: 300 }, (_, i) => makeNode(`n${i}`));
    const e = explain({ nodes, pods: [] }, makePod("p"), config);
    expect(e.numFeasibleNodesToFind).toBe(300);
    expect(e.feasibleNodes).toBe(300);
  });
});
