import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../src/api/types/core.js";
import { Simulation } from "../../src/engine/simulation.js";
import type { PodDisruptionBudget } from "../../src/scheduler/cache/objects.js";
import { defaultSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { explain } from "../../src/scheduler/explain.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { FakeApi, makeNode, makePod } from "./fixtures.js";

const S = 1_000_000;

function cluster(nodes: Node[], pods: Pod[], pdbs: PodDisruptionBudget[] = []) {
  const sim = new Simulation({ seed: 3 });
  const api = new FakeApi(sim, 1000);
  const s = new Scheduler(sim, "kube-scheduler", api);
  api.scheduler = s;
  for (const n of nodes) s.onNodeAdd(n);
  for (const p of pods) s.onPodAdd(p);
  for (const b of pdbs) s.onPodDisruptionBudgetAdd(b);
  return { sim, api, s };
}

describe("DefaultPreemption", () => {
  it("evicts the fewest, least important pods and nominates the node", () => {
    const nodes = [makeNode("n1", { cpu: "2" })];
    const running = [
      makePod("v-low-a", { cpu: "500m", priority: 1, nodeName: "n1", startTime: "2025-01-01T00:00:10Z" }),
      makePod("v-low-b", { cpu: "500m", priority: 1, nodeName: "n1", startTime: "2025-01-01T00:00:20Z" }),
      makePod("v-mid", { cpu: "1", priority: 5, nodeName: "n1" }),
    ];
    const { sim, api, s } = cluster(nodes, running);
    s.onPodAdd(makePod("boss", { cpu: "1", priority: 10 }));
    s.start();
    sim.runUntil(S);
    // Removing everything then reprieving by importance: v-mid (prio 5) stays, one... no: 1 cpu
    // is needed; v-mid (1 cpu) is reprieved first, then neither low pod fits back.
    expect(new Set(api.deleted)).toEqual(new Set(["default/v-low-a", "default/v-low-b"]));
    expect(api.nominated).toContainEqual(["default/boss", "n1"]);
    sim.runUntil(30 * S);
    expect(api.bound).toContainEqual(["default/boss", "n1"]);
  });

  it("prefers a node without PodDisruptionBudget violations", () => {
    const nodes = [makeNode("a", { cpu: "1" }), makeNode("b", { cpu: "1" })];
    const running = [
      makePod("guarded", { cpu: "1", priority: 0, nodeName: "a", labels: { app: "db" } }),
      makePod("free", { cpu: "1", priority: 0, nodeName: "b", labels: { app: "web" } }),
    ];
    const pdb: PodDisruptionBudget = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "db", namespace: "default" },
      spec: { selector: { matchLabels: { app: "db" } } },
      status: { disruptionsAllowed: 0 },
    };
    const { sim, api, s } = cluster(nodes, running, [pdb]);
    s.onPodAdd(makePod("p", { cpu: "1", priority: 10 }));
    s.start();
    sim.runUntil(S);
    expect(api.deleted).toEqual(["default/free"]);
    expect(api.nominated).toContainEqual(["default/p", "b"]);
  });

  it("picks the node whose most important victim has the lowest priority, then fewer victims", () => {
    const nodes = [makeNode("a", { cpu: "2" }), makeNode("b", { cpu: "2" }), makeNode("c", { cpu: "2" })];
    const running = [
      makePod("a1", { cpu: "2", priority: 5, nodeName: "a" }),
      makePod("b1", { cpu: "1", priority: 3, nodeName: "b" }),
      makePod("b2", { cpu: "1", priority: 3, nodeName: "b" }),
      makePod("c1", { cpu: "2", priority: 3, nodeName: "c" }),
    ];
    const e = explain({ nodes, pods: running }, makePod("p", { cpu: "2", priority: 10 }), defaultSchedulerConfig());
    expect(e.nominatedNode).toBe("c");
    expect(e.preemptionVictims).toEqual(["default/c1"]);
  });

  it("never preempts for preemptionPolicy: Never, and explains why", () => {
    const nodes = [makeNode("a", { cpu: "1" })];
    const running = [makePod("v", { cpu: "1", priority: 0, nodeName: "a" })];
    const p = makePod("p", { cpu: "1", priority: 10, spec: { preemptionPolicy: "Never" } });
    const e = explain({ nodes, pods: running }, p, defaultSchedulerConfig());
    expect(e.nominatedNode).toBeUndefined();
    expect(e.message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
    );
  });

  it("does not preempt on nodes rejected as UnschedulableAndUnresolvable", () => {
    const nodes = [
      makeNode("a", { cpu: "1", taints: [{ key: "x", value: "", effect: "NoSchedule" }] }),
      makeNode("b", { cpu: "1" }),
    ];
    const running = [
      makePod("v1", { cpu: "1", nodeName: "a" }),
      makePod("v2", { cpu: "1", nodeName: "b", priority: 20 }),
    ];
    const e = explain({ nodes, pods: running }, makePod("p", { cpu: "1", priority: 10 }), defaultSchedulerConfig());
    expect(e.nominatedNode).toBeUndefined();
    expect(e.message).toContain(
      "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
  });
});
