import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/engine/simulation.js";
import { PodInfo } from "../../src/scheduler/cache/pod-info.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { FakeApi, makeNode, makePod } from "./fixtures.js";

const S = 1_000_000;

function setup(seed = 1) {
  const sim = new Simulation({ seed });
  const api = new FakeApi(sim, 1000);
  const s = new Scheduler(sim, "kube-scheduler", api);
  api.scheduler = s;
  const attempts: { pod: string; at: number; node?: string }[] = [];
  const sched = new Scheduler(sim, "kube-scheduler-2", api, {
    onCycle: (e) =>
      attempts.push({ pod: e.pod, at: e.start, ...(e.result.node === undefined ? {} : { node: e.result.node }) }),
  });
  api.scheduler = sched;
  void s;
  return { sim, api, s: sched, attempts };
}

describe("backoff", () => {
  it("doubles from 1 s to the 10 s cap", () => {
    const { s } = setup();
    s.onNodeAdd(makeNode("n", { cpu: "100m" }));
    s.onPodAdd(makePod("p", { cpu: "1" }));
    const q = s.queue.get("default/p");
    expect(q).toBeDefined();
    const durations: number[] = [];
    for (let a = 1; a <= 6; a++) {
      (q as { attempts: number }).attempts = a;
      durations.push(s.queue.backoffDuration(q as never) / S);
    }
    expect(durations).toEqual([1, 2, 4, 8, 10, 10]);
  });
});

describe("the unschedulable pool", () => {
  it("retries a pod nothing moves after the 5 min leftover flush (30 s loop)", () => {
    const { sim, s, attempts } = setup();
    s.onNodeAdd(makeNode("n", { cpu: "100m" }));
    s.onPodAdd(makePod("p", { cpu: "1" }));
    s.start();
    sim.runUntil(400 * S);
    const times = attempts.filter((a) => a.pod === "default/p").map((a) => a.at);
    expect(times.length).toBe(2);
    // First attempt at 0; it fails at the end of its cycle (t0 ≈ cost); the flush that finds it
    // older than 5 min is the first 30 s tick after t0 + 300 s: 330 s.
    expect(times[1]).toBe(330 * S);
    expect(s.queue.unschedulableCount).toBe(1);
  });

  it("moves a pod when an event its rejecting plugin registered says Queue, after its backoff", () => {
    const { sim, s, attempts, api } = setup();
    s.onNodeAdd(makeNode("small", { cpu: "100m" }));
    s.onPodAdd(makePod("p", { cpu: "1" }));
    s.start();
    sim.runUntil(5 * S);
    expect(s.queue.unschedulableCount).toBe(1);
    // A label change does not help NodeResourcesFit; a node with room does.
    const small = makeNode("small", { cpu: "100m" });
    s.onNodeUpdate(small, makeNode("small", { cpu: "100m", labels: { x: "y" } }));
    expect(s.queue.unschedulableCount).toBe(1);
    s.onNodeAdd(makeNode("big", { cpu: "4" }));
    expect(s.queue.unschedulableCount).toBe(0);
    expect(s.queue.activeCount).toBe(1);
    sim.runUntil(10 * S);
    expect(api.bound).toEqual([["default/p", "big"]]);
    expect(attempts.filter((a) => a.pod === "default/p").length).toBe(2);
  });

  it("sends a pod whose backoff has not expired to backoffQ, flushed on the 1 s loop", () => {
    const { sim, s, attempts } = setup();
    s.onNodeAdd(makeNode("small", { cpu: "100m" }));
    s.start();
    sim.runUntil(S / 2);
    s.onPodAdd(makePod("p", { cpu: "1" }));
    const t0 = sim.now;
    // Let the attempt fail, then add room immediately: attempts = 1 → 1 s backoff from the failure.
    sim.runUntil(t0 + 100_000);
    s.onNodeAdd(makeNode("big", { cpu: "4" }));
    expect(s.queue.backoffCount).toBe(1);
    sim.runUntil(t0 + 3 * S);
    const second = attempts.filter((a) => a.pod === "default/p")[1];
    expect(second).toBeDefined();
    // The backoffQ flush runs on whole seconds from the start; the first tick after expiry.
    expect((second?.at ?? 0) % S).toBe(0);
    expect(second?.node).toBe("big");
  });

  it("replays events that arrived while the pod was in flight", () => {
    const { sim, s } = setup();
    s.onNodeAdd(makeNode("small", { cpu: "100m" }));
    s.start();
    s.onPodAdd(makePod("p", { cpu: "1" }));
    // The cycle starts at 0 and ends after its cost; add a node in between.
    sim.runUntil(1);
    expect(s.queue.inflightCount).toBe(1);
    s.onNodeAdd(makeNode("big", { cpu: "4" }));
    sim.runUntil(10_000);
    // Not parked in the pool: straight to backoffQ (the event says Queue).
    expect(s.queue.unschedulableCount).toBe(0);
    expect(s.queue.backoffCount + s.queue.activeCount).toBe(1);
  });
});

describe("activeQ order and gates", () => {
  it("pops higher priority first, then earlier enqueue", () => {
    const { sim, s, attempts } = setup();
    s.onNodeAdd(makeNode("n", { cpu: "64", pods: "200" }));
    s.onPodAdd(makePod("low1", { priority: 0 }));
    s.onPodAdd(makePod("high", { priority: 100 }));
    s.onPodAdd(makePod("low2", { priority: 0 }));
    s.start();
    sim.runUntil(S);
    expect(attempts.map((a) => a.pod)).toEqual(["default/high", "default/low1", "default/low2"]);
  });

  it("keeps gated pods out until the gates are removed", () => {
    const { sim, s, api } = setup();
    s.onNodeAdd(makeNode("n"));
    const gated = makePod("g", { spec: { schedulingGates: [{ name: "wait" }] } });
    s.onPodAdd(gated);
    s.start();
    sim.runUntil(400 * S);
    expect(api.bound).toEqual([]);
    expect(s.queue.get("default/g")?.gated).toBe(true);
    s.onPodUpdate(gated, makePod("g"));
    sim.runUntil(401 * S);
    expect(api.bound).toEqual([["default/g", "n"]]);
  });
});

describe("binding", () => {
  it("the next pod sees the previous pod's resources before binding completes (assume)", () => {
    const sim = new Simulation({ seed: 1 });
    const api = new FakeApi(sim, 10 * S);
    const s = new Scheduler(sim, "kube-scheduler", api);
    api.scheduler = s;
    s.onNodeAdd(makeNode("a", { cpu: "1" }));
    s.onNodeAdd(makeNode("b", { cpu: "1" }));
    s.onPodAdd(makePod("p1", { cpu: "800m" }));
    s.onPodAdd(makePod("p2", { cpu: "800m" }));
    s.start();
    sim.runUntil(S);
    expect(api.bound).toEqual([]);
    expect(s.cache.isAssumed("default/p1")).toBe(true);
    sim.runUntil(20 * S);
    const nodes = api.bound.map((b) => b[1]).sort();
    expect(nodes).toEqual(["a", "b"]);
  });

  it("forgets the assumed pod and retries through backoff when binding fails", () => {
    const sim = new Simulation({ seed: 1 });
    const api = new FakeApi(sim, 1000);
    api.failBinds = 1;
    const s = new Scheduler(sim, "kube-scheduler", api);
    api.scheduler = s;
    s.onNodeAdd(makeNode("a", { cpu: "1" }));
    s.onPodAdd(makePod("p", { cpu: "800m" }));
    s.start();
    sim.runUntil(S / 2);
    expect(s.cache.isAssumed("default/p")).toBe(false);
    expect(s.stats.bindFailures).toBe(1);
    expect(s.queue.backoffCount).toBe(1);
    sim.runUntil(5 * S);
    expect(api.bound).toEqual([["default/p", "a"]]);
  });

  it("removes a bound pod's resources when it is deleted and wakes pods that need them", () => {
    const { sim, s, api } = setup();
    s.onNodeAdd(makeNode("a", { cpu: "1" }));
    s.onPodAdd(makePod("first", { cpu: "800m" }));
    s.start();
    sim.runUntil(S);
    s.onPodAdd(makePod("second", { cpu: "800m" }));
    sim.runUntil(2 * S);
    expect(s.queue.unschedulableCount).toBe(1);
    s.onPodDelete(makePod("first", { cpu: "800m", nodeName: "a" }));
    sim.runUntil(20 * S);
    expect(api.bound.map((b) => b[0])).toEqual(["default/first", "default/second"]);
    expect(new PodInfo(makePod("x")).key).toBe("default/x");
  });
});
