// API server throughput in wall-clock terms: requests per second through the whole simulated
// pipeline (client rate limiter, network, flow control, CPU pool, admission, etcd raft and
// MVCC, watch cache), and watch events delivered per second to 5,000 node-filtered watchers
// (kubelets). One process per case; see bench/run.ts.
import type { Pod } from "../src/api/types/index.js";
import { Client } from "../src/apiserver/client.js";
import { ControlPlane } from "../src/apiserver/control-plane.js";
import { ApiError } from "../src/apiserver/status.js";
import { Simulation } from "../src/engine/simulation.js";
import { argValue, type BenchRow, measure } from "./lib/harness.js";

/** A pod of realistic size (~2.5 KB JSON): labels, annotations, two containers, ports, env. */
function realisticPod(name: string, node?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels: { app: "web", "pod-template-hash": "7d9f8b6c5d", tier: "frontend", release: "stable" },
      annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z", "prometheus.io/scrape": "true" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-7d9f8b6c5d",
          uid: "0b4c2f0e-1d1e-4e1e-9a3c-2b7f3f1c9d11",
          controller: true,
        },
      ],
    },
    spec: {
      ...(node === undefined ? {} : { nodeName: node }),
      containers: [
        {
          name: "app",
          image: "registry.example.com/team/web-frontend:v1.42.7",
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        },
        {
          name: "sidecar",
          image: "registry.example.com/infra/log-shipper:v3.1.0",
          resources: { requests: { cpu: "50m", memory: "64Mi" } },
        },
      ],
      terminationGracePeriodSeconds: 30,
    },
  };
}

const BATCH = 3_000;

function pipeline(timeMs: number): BenchRow {
  const sim = new Simulation({ seed: 1 });
  const cp = new ControlPlane(sim, { etcd: { members: 3 }, apiservers: 1, apiserver: { cpus: 64 } });
  cp.start();
  const client = new Client(cp, {
    name: "bench",
    user: { name: "admin", groups: ["system:masters"] },
    qps: 0,
    burst: 0,
  });
  sim.runUntil(1_000_000);
  let n = 0;
  const fn = () => {
    let done = 0;
    const base = n;
    n += BATCH / 3;
    const t = sim.now;
    for (let i = 0; i < BATCH / 3; i++) {
      const name = `p${base + i}`;
      // Spread over 100 ms of virtual time: 30k requests/s offered load.
      sim.at(t + i * 100, () =>
        client.create(realisticPod(name), (r) => {
          done++;
          if (r instanceof ApiError) throw r;
          client.get<Pod>("pods", "default", name, () => done++);
          client.update(
            { ...r, metadata: { ...r.metadata, labels: { ...r.metadata.labels, touched: "yes" } } },
            () => done++,
          );
        }),
      );
    }
    while (done < BATCH) sim.runUntil(sim.now + 100_000);
  };
  const m = measure(fn, BATCH, timeMs);
  return {
    suite: "apiserver",
    case: "pipeline",
    impl: "create+get+update",
    size: BATCH,
    ...m,
    extra: { virtual_now_s: Math.round(sim.now / 1e6) },
  };
}

function kubeletFanout(watchers: number, timeMs: number): BenchRow {
  const sim = new Simulation({ seed: 1 });
  const cp = new ControlPlane(sim, { etcd: { members: 3 }, apiservers: 1, apiserver: { cpus: 64 } });
  cp.start();
  const admin = new Client(cp, {
    name: "bench",
    user: { name: "admin", groups: ["system:masters"] },
    qps: 0,
    burst: 0,
  });
  let delivered = 0;
  for (let k = 0; k < watchers; k++) {
    const kubelet = new Client(cp, {
      name: `kubelet-${k}`,
      user: { name: `system:node:node-${k}`, groups: ["system:nodes"] },
      qps: 50,
      burst: 100,
    });
    kubelet.watch(
      "pods",
      { resourceVersion: "0", fieldSelector: `spec.nodeName=node-${k}` },
      (_ev, ack) => {
        delivered++;
        ack();
      },
      () => {},
    );
  }
  // One pod per node, then a stream of status patches: each event goes to one kubelet.
  for (let k = 0; k < watchers; k++)
    sim.at(500_000 + k * 20, () => admin.create(realisticPod(`p${k}`, `node-${k}`), () => {}));
  sim.runUntil(5_000_000);
  let k = 0;
  const fn = () => {
    const target = delivered + BATCH;
    const t = sim.now;
    for (let i = 0; i < BATCH; i++) {
      const name = `p${k++ % watchers}`;
      sim.at(t + i * 50, () =>
        admin.patch("pods", "default", name, { status: { phase: "Running", message: String(k) } }, () => {}, "status"),
      );
    }
    while (delivered < target) sim.runUntil(sim.now + 100_000);
  };
  const m = measure(fn, BATCH, timeMs);
  return {
    suite: "apiserver",
    case: "kubelet-watch",
    impl: `${watchers} node-filtered watchers`,
    size: watchers,
    ...m,
  };
}

if (process.argv[1]?.endsWith("apiserver.js")) {
  const kase = argValue("case", "pipeline");
  const time = Number(argValue("time", "2000"));
  const row = kase === "pipeline" ? pipeline(time) : kubeletFanout(Number(argValue("watchers", "5000")), time);
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
