import { formatMicroTime } from "../api/time.js";
import type { KubeObject, Lease, Node, Pod } from "../api/types/index.js";
import { CLIENT_RATE_DEFAULTS, Client } from "../apiserver/client.js";
import type { ControlPlane } from "../apiserver/control-plane.js";
import { Informer } from "../apiserver/informer.js";
import { ApiError } from "../apiserver/status.js";
import { Actor } from "../engine/actor.js";
import { Exponential, LogNormal } from "../engine/distributions.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import { ApiMetrics } from "../metrics/api-metrics.js";
import type { CsvWriter } from "../metrics/csv-writer.js";
import type { ApiLoadSpec } from "../scenario/scenario.js";
import { defaultSchedulerConfig } from "../scheduler/config/parse.js";
import { ClientSchedulerApi, connectScheduler } from "../scheduler/kube-client.js";
import { Scheduler } from "../scheduler/scheduler.js";

export const API_COLUMNS = ApiMetrics.INTERVAL_COLUMNS;

/** Output sinks of the API load demo. */
export interface ApiLoadSinks {
  /** Per-second latency series per (verb, resource, subresource, scope). */
  api: CsvWriter;
}

/** Kubelet's lease: 40 s duration, renewed every 10 s (k8s-timing §1.1). */
const LEASE_RENEW_US = 10_000_000;
/** kubelet nodeStatusReportFrequency: an unchanged status is re-posted every 5 min. */
const NODE_STATUS_US = 300_000_000;

/**
 * API traffic shaped like a cluster's, through the simulated control plane: every node's
 * kubelet registers its Node and Lease, renews the Lease every 10 s, re-posts node status every
 * 5 min and watches its own pods (field selector on spec.nodeName), reporting them Running and
 * finishing their deletion; a workload client creates pods at a rate and deletes them after a
 * lifetime; the kube-scheduler model (or a round-robin binder) places them; optional clients
 * LIST a resource periodically.
 */
export class ApiLoad extends Actor {
  private readonly cp: ControlPlane;
  private readonly spec: ApiLoadSpec;
  private readonly sinks: ApiLoadSinks;
  private readonly timers: PeriodicTimer[] = [];
  private readonly startup = new LogNormal(800_000, 3_000_000);
  private readonly startupRng = this.rng("pod-startup");
  private readonly arrivals = this.rng("pod-arrivals");
  private podsCreated = 0;
  private podsRunning = 0;
  private podsDeleted = 0;
  private nextNode = 0;
  private stopAt = 0;

  constructor(sim: Simulation, cp: ControlPlane, spec: ApiLoadSpec, sinks: ApiLoadSinks) {
    super(sim, "api-load");
    this.cp = cp;
    this.spec = spec;
    this.sinks = sinks;
  }

  /** Starts every client; new work stops at `until` (µs). */
  start(until: number): void {
    this.stopAt = until;
    const phase = this.rng("kubelet-phase");
    for (let i = 0; i < this.spec.nodes; i++) this.sim.at(Math.floor(phase.next() * 5_000_000), () => this.kubelet(i));
    if (this.spec.pods.count > 0) this.sim.at(10_000_000, () => this.workload());
    this.scheduler();
    for (const l of this.spec.listers) {
      const c = this.client(
        `lister-${l.resource}`,
        "system:serviceaccount:default:lister",
        ["system:serviceaccounts"],
        CLIENT_RATE_DEFAULTS.default,
      );
      this.every(l.every, () => c.list(l.resource, {}, () => {}));
    }
    this.every(1_000_000, () =>
      this.cp.metrics.flushInterval(Math.round(this.sim.now / 1e6), (row) => this.sinks.api.write(row)),
    );
  }

  /** Stops periodic work. */
  stop(): void {
    for (const t of this.timers) t.stop();
  }

  private every(period: number, f: () => void): void {
    this.timers.push(
      new PeriodicTimer(this.sim, { period, immediate: false }, () => {
        if (this.sim.now < this.stopAt) f();
        return undefined;
      }).start(),
    );
  }

  private client(name: string, user: string, groups: string[], rate: { qps: number; burst: number }): Client {
    return new Client(this.cp, { name, user: { name: user, groups }, qps: rate.qps, burst: rate.burst });
  }

  // ---------------------------------------------------------------- kubelet

  private kubelet(i: number): void {
    const name = `node-${i}`;
    const c = this.client(
      `kubelet-${i}`,
      `system:node:${name}`,
      ["system:nodes", "system:authenticated"],
      CLIENT_RATE_DEFAULTS.kubelet,
    );
    const node: Node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": `zone-${i % 3}` } },
      spec: {},
      status: {
        capacity: { cpu: "8", memory: "32Gi", pods: "110" },
        allocatable: { cpu: "7910m", memory: "31Gi", pods: "110" },
        conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
      },
    };
    let lease: Lease | undefined;
    c.create(node, () => {});
    c.create<Lease>(
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace: "kube-node-lease" },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(this.sim.now) },
      },
      (r) => {
        if (!(r instanceof ApiError)) lease = r;
      },
    );
    // Renew: an update with the last resourceVersion; on conflict, read and retry next round.
    this.every(LEASE_RENEW_US, () => {
      if (lease === undefined) return;
      const next: Lease = { ...lease, spec: { ...lease.spec, renewTime: formatMicroTime(this.sim.now) } };
      c.update(next, (r) => {
        if (!(r instanceof ApiError)) lease = r;
        else if (r.code === 409)
          c.get<Lease>("leases", "kube-node-lease", name, (g) => (lease = g instanceof ApiError ? lease : g));
      });
    });
    this.every(NODE_STATUS_US, () =>
      c.patch("nodes", undefined, name, { status: { conditions: node.status?.conditions } }, () => {}, "status"),
    );
    const pods = new Informer(c, this.sim, "pods", {
      fieldSelector: `spec.nodeName=${name}`,
      metrics: this.cp.metrics,
    });
    pods.addEventHandler({
      onAdd: (o) => this.podOnNode(c, o as Pod),
      onUpdate: (_old, o) => this.podOnNode(c, o as Pod),
    });
    pods.start();
  }

  // The kubelet starts a pod (reports Running after a startup delay) and finishes deletions.
  private podOnNode(c: Client, pod: Pod): void {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name as string;
    if (pod.metadata.deletionTimestamp !== undefined) {
      this.sim.after(500_000, () =>
        c.delete("pods", ns, name, (r) => !(r instanceof ApiError) && this.podsDeleted++, { gracePeriodSeconds: 0 }),
      );
      return;
    }
    if (pod.status?.phase === "Running") return;
    this.sim.after(this.startup.sampleInt(this.startupRng), () =>
      c.patch(
        "pods",
        ns,
        name,
        (cur) => ({ ...cur, status: { ...(cur as Pod).status, phase: "Running" } }) as KubeObject,
        (r) => !(r instanceof ApiError) && this.podsRunning++,
        "status",
      ),
    );
  }

  // ---------------------------------------------------------------- workload and scheduler

  private workload(): void {
    const c = this.client("workload", "system:serviceaccount:default:deployer", ["system:serviceaccounts"], {
      qps: 100,
      burst: 200,
    });
    const gap = new Exponential(1_000_000 / this.spec.pods.createRate);
    const create = () => {
      if (this.sim.now >= this.stopAt || this.podsCreated >= this.spec.pods.count) return;
      const name = `pod-${this.podsCreated++}`;
      c.create(
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name, namespace: "default", labels: { app: "load" } },
          spec: {
            containers: [
              {
                name: "app",
                image: "registry.k8s.io/pause:3.9",
                resources: { requests: { cpu: "100m", memory: "128Mi" } },
              },
            ],
          },
        },
        () => {},
      );
      if (this.spec.pods.lifetime > 0)
        this.sim.after(this.spec.pods.lifetime, () => c.delete("pods", "default", name, () => {}));
      this.sim.after(gap.sampleInt(this.arrivals), create);
    };
    create();
  }

  private kubeScheduler: Scheduler | undefined;

  private scheduler(): void {
    if (this.spec.nodes === 0) return;
    const c = this.client("kube-scheduler", "system:kube-scheduler", [], CLIENT_RATE_DEFAULTS["kube-scheduler"]);
    if (this.spec.scheduler === "kube-scheduler") {
      // The kube-scheduler model, fed by informers and binding through its rate-limited client.
      const sched = new Scheduler(this.sim, "kube-scheduler", new ClientSchedulerApi(c), {
        config: defaultSchedulerConfig(),
      });
      connectScheduler(sched, c, this.sim, this.cp.metrics);
      sched.start();
      this.kubeScheduler = sched;
      return;
    }
    const pending = new Informer(c, this.sim, "pods", { fieldSelector: "spec.nodeName=", metrics: this.cp.metrics });
    pending.addEventHandler({
      onAdd: (o) => {
        const pod = o as Pod;
        if (pod.metadata.deletionTimestamp !== undefined) return;
        const node = `node-${this.nextNode++ % this.spec.nodes}`;
        c.bind(pod, node, () => {});
      },
    });
    pending.start();
  }

  /** Counts of the workload's pods. */
  summary(): object {
    return {
      podsCreated: this.podsCreated,
      podsRunning: this.podsRunning,
      podsDeleted: this.podsDeleted,
      nodes: this.spec.nodes,
      scheduler: this.spec.scheduler,
      ...(this.kubeScheduler === undefined ? {} : { schedulerStats: this.kubeScheduler.stats }),
    };
  }
}
