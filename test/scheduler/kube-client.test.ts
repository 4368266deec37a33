import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../src/api/types/index.js";
import { Client } from "../../src/apiserver/client.js";
import { ControlPlane } from "../../src/apiserver/control-plane.js";
import { Simulation } from "../../src/engine/simulation.js";
import { defaultSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { ClientSchedulerApi, connectScheduler } from "../../src/scheduler/kube-client.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";

function node(i: number): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `n${i}`,
      labels: { "kubernetes.io/hostname": `n${i}`, "topology.kubernetes.io/zone": `z${i % 3}` },
    },
    spec: {},
    status: {
      allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
      capacity: { cpu: "8", memory: "32Gi", pods: "110" },
    },
  };
}

function pod(i: number): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p${i}`, namespace: "default" },
    spec: { containers: [{ name: "c", image: "pause", resources: { requests: { cpu: "100m", memory: "100Mi" } } }] },
  };
}

/** Creates `pods` pending pods on `nodes` nodes and returns when each was bound (virtual µs). */
function run(qps: number, burst: number, pods: number): { boundAt: number[]; sched: Scheduler } {
  const sim = new Simulation({ seed: 3 });
  const cp = new ControlPlane(sim, { etcd: { members: 3 }, apiservers: 1 });
  cp.start();
  const admin = new Client(cp, {
    name: "admin",
    user: { name: "admin", groups: ["system:masters"] },
    qps: 0,
    burst: 0,
  });
  const sc = new Client(cp, {
    name: "kube-scheduler",
    user: { name: "system:kube-scheduler", groups: [] },
    qps,
    burst,
  });
  const sched = new Scheduler(sim, "kube-scheduler", new ClientSchedulerApi(sc), { config: defaultSchedulerConfig() });
  for (let i = 0; i < 50; i++) sim.at(100_000, () => admin.create(node(i), () => {}));
  sim.at(2_000_000, () => {
    connectScheduler(sched, sc, sim);
    sched.start();
  });
  for (let i = 0; i < pods; i++) sim.at(5_000_000, () => admin.create(pod(i), () => {}));
  const boundAt: number[] = [];
  const watcher = new Client(cp, {
    name: "observer",
    user: { name: "admin", groups: ["system:masters"] },
    qps: 0,
    burst: 0,
  });
  sim.at(1_000_000, () =>
    watcher.watch(
      "pods",
      { resourceVersion: "0" },
      (ev, ack) => {
        const p = ev.object as Pod;
        if (ev.type === "MODIFIED" && p.spec.nodeName !== undefined) boundAt.push(sim.now);
        ack();
      },
      () => {},
    ),
  );
  sim.runUntil(120_000_000);
  return { boundAt, sched };
}

describe("kube-scheduler through the API server", () => {
  it("binds every pending pod with pods/binding calls and spreads them over the nodes", () => {
    const { boundAt, sched } = run(50, 100, 300);
    expect(boundAt).toHaveLength(300);
    expect(sched.stats).toMatchObject({ scheduled: 300, bindings: 300, bindFailures: 0 });
  });

  it("is paced by its client's QPS limit: burst 100, then 50 bindings per second", () => {
    const limited = run(50, 100, 1000).boundAt;
    const unlimited = run(0, 0, 1000).boundAt;
    const span = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / 1e6;
    // 1,000 bindings: the first ~100 from the burst, the other ~900 at 50/s: about 18 s.
    expect(span(limited)).toBeGreaterThan(16);
    expect(span(limited)).toBeLessThan(22);
    expect(span(unlimited)).toBeLessThan(span(limited) / 3);
  });
});
