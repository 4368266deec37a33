import { afterAll, describe, expect, it } from "vitest";
import type { Node, Pod, ReplicaSet, Service } from "../../src/api/types/index.js";
import { Rng } from "../../src/engine/rng.js";
import { Simulation } from "../../src/engine/simulation.js";
import { readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import type { Evaluator } from "../../src/scheduler/nodetable/evaluator.js";
import { ParallelEvaluator } from "../../src/scheduler/nodetable/parallel.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { FakeApi, makeNode, makePod } from "./fixtures.js";

const NODES = 800;
const PODS = 1500;

function cluster(rng: Rng, podCount = PODS): { nodes: Node[]; pods: Pod[]; services: Service[]; rss: ReplicaSet[] } {
  const nodes: Node[] = [];
  for (let i = 0; i < NODES; i++) {
    const r = rng.next();
    const taints =
      r < 0.08
        ? [{ key: "dedicated", value: rng.bool(0.5) ? "db" : "gpu", effect: "NoSchedule" }]
        : r < 0.13
          ? [{ key: "spot", value: "", effect: "PreferNoSchedule" }]
          : undefined;
    nodes.push(
      makeNode(`node-${i}`, {
        cpu: String(2 + rng.int(30)),
        memory: `${4 + rng.int(120)}Gi`,
        pods: String(rng.bool(0.05) ? 3 : 110),
        labels: { disk: rng.bool(0.5) ? "ssd" : "hdd", gen: String(1 + rng.int(6)) },
        ...(rng.bool(0.95) ? { zone: `z${rng.int(4)}` } : {}),
        ...(taints === undefined ? {} : { taints }),
        ...(rng.bool(0.02) ? { unschedulable: true } : {}),
        ...(rng.bool(0.3) ? { images: [{ names: ["repo/app:v1"], sizeBytes: 300 * 1024 * 1024 }] } : {}),
      }),
    );
  }
  const services: Service[] = [];
  const rss: ReplicaSet[] = [];
  for (let a = 0; a < 8; a++) {
    services.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `svc-${a}`, namespace: "default" },
      spec: { selector: { app: `app-${a}` } },
    });
    rss.push({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: `rs-${a}`, namespace: "default" },
      spec: { selector: { matchLabels: { app: `app-${a}` } } },
    });
  }
  const pods: Pod[] = [];
  for (let i = 0; i < podCount; i++) {
    const app = `app-${rng.int(8)}`;
    const p = makePod(`pod-${i}`, {
      cpu: `${50 + rng.int(40) * 50}m`,
      memory: `${64 * (1 + rng.int(32))}Mi`,
      labels: { app },
      priority: rng.bool(0.05) ? 1000 : rng.int(3),
      ...(rng.bool(0.3) ? { image: "repo/app:v1" } : {}),
      ...(rng.bool(0.5) ? { ownerRS: `rs-${app.slice(4)}` } : {}),
    });
    if (rng.bool(0.1)) p.spec.tolerations = [{ key: "dedicated", operator: "Exists" }];
    const f = rng.next();
    if (f < 0.15) p.spec.nodeSelector = { disk: "ssd" };
    else if (f < 0.25) {
      p.spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["2"] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 40, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
          ],
        },
      };
    }
    const g = rng.next();
    if (g < 0.15) {
      p.spec.topologySpreadConstraints = [
        {
          maxSkew: 2,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app } },
        },
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { app } },
        },
      ];
    } else if (g < 0.27) {
      p.spec.affinity = {
        ...p.spec.affinity,
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app } }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      };
    } else if (g < 0.35) {
      p.spec.affinity = {
        ...p.spec.affinity,
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 20,
              podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: "topology.kubernetes.io/zone" },
            },
          ],
        },
      };
    }
    if (rng.bool(0.03)) (p.spec.containers[0] as { ports?: unknown }).ports = [{ containerPort: 80, hostPort: 8080 }];
    pods.push(p);
  }
  return { nodes, pods, services, rss };
}

function run(seed: number, evaluator?: Evaluator, pct = 0, pods = PODS): { decisions: string; stats: string } {
  const sim = new Simulation({ seed });
  const api = new FakeApi(sim, 2000);
  const config = readSchedulerConfig({
    apiVersion: "kubescheduler.config.k8s.io/v1",
    kind: "KubeSchedulerConfiguration",
    percentageOfNodesToScore: pct,
  });
  const s = new Scheduler(sim, "kube-scheduler", api, { config, ...(evaluator === undefined ? {} : { evaluator }) });
  api.scheduler = s;
  s.recordDecisions = true;
  const c = cluster(new Rng(seed, "test/cluster"), pods);
  for (const svc of c.services) s.onServiceAdd(svc);
  for (const rs of c.rss) s.onReplicaSetAdd(rs);
  for (const n of c.nodes) s.onNodeAdd(n);
  s.start();
  // Pods arrive over time so the queue, backoff and preemption interleave with binding.
  c.pods.forEach((p, i) => {
    sim.at(i * 500, () => s.onPodAdd(p));
  });
  sim.runUntil(120_000_000);
  return { decisions: s.decisions.map(([p, n]) => `${p}>${n}`).join(";"), stats: JSON.stringify(s.stats) };
}

const evaluators: ParallelEvaluator[] = [];
afterAll(async () => {
  for (const e of evaluators) await e.close();
});

describe("determinism", () => {
  it("gives the same placements for the same seed, and different ones for another seed", () => {
    const a = run(11, undefined, 0, 600);
    const b = run(11, undefined, 0, 600);
    expect(b.decisions).toBe(a.decisions);
    expect(b.stats).toBe(a.stats);
    expect(a.decisions.split(";").length).toBeGreaterThan(500);
    expect(run(12, undefined, 0, 600).decisions).not.toBe(a.decisions);
  });

  it("makes identical decisions with 0, 1, 2 and 4 worker threads", async () => {
    const serial = run(21, undefined, 100);
    for (const threads of [1, 2, 4]) {
      // Every worker takes a shard (by default no more than cores − 1 do), beside the main thread.
      const ev = await ParallelEvaluator.create({ threads, mode: "always", activeThreads: threads });
      evaluators.push(ev);
      const par = run(21, ev, 100);
      expect(ev.parallelCalls).toBeGreaterThan(1000);
      // The workers really took chunks (the main thread takes the others).
      expect(ev.workerChunks).toBeGreaterThan(0);
      expect(par.decisions).toBe(serial.decisions);
      expect(par.stats).toBe(serial.stats);
    }
  }, 120_000);

  it("also with the main thread only waiting, and with the default number of active workers", async () => {
    const serial = run(22, undefined, 100, 600);
    const idle = await ParallelEvaluator.create({ threads: 2, mode: "always", mainShare: false, activeThreads: 2 });
    const dflt = await ParallelEvaluator.create({ threads: 4, mode: "always", spin: 0 });
    evaluators.push(idle, dflt);
    expect(run(22, idle, 100, 600).decisions).toBe(serial.decisions);
    // With the main thread only waiting, every chunk ran on a worker.
    expect(idle.workerChunks).toBeGreaterThanOrEqual(idle.parallelCalls);
    expect(run(22, dflt, 100, 600).decisions).toBe(serial.decisions);
    expect(dflt.activeThreads).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("also with adaptive sampling (chunked parallel filtering)", async () => {
    const serial = run(31);
    const ev = await ParallelEvaluator.create({ threads: 2, mode: "always" });
    evaluators.push(ev);
    expect(run(31, ev).decisions).toBe(serial.decisions);
  }, 120_000);
});
