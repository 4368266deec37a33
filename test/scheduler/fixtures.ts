/** Builders for scheduler tests: nodes, pods, a fake API server with virtual-time delays. */
import type { Node, Pod, PodSpec, Taint, Toleration } from "../../src/api/types/core.js";
import { Simulation } from "../../src/engine/simulation.js";
import type { SchedulerApi } from "../../src/scheduler/api.js";
import type { SchedulerCache } from "../../src/scheduler/cache/cache.js";
import { newCycleEnv } from "../../src/scheduler/framework/cycle-env.js";
import type { CycleEnv } from "../../src/scheduler/framework/framework.js";
import type { Evaluator } from "../../src/scheduler/nodetable/evaluator.js";
import type { Scheduler } from "../../src/scheduler/scheduler.js";

/** A scheduling-cycle environment over `cache`, with its rng streams from a simulation of `seed`. */
export function cycleEnvFor(
  cache: SchedulerCache,
  o: { seed: number; pct: number; kernel: "wasm" | "js"; evaluator?: Evaluator },
): CycleEnv {
  const sim = new Simulation({ seed: o.seed });
  return newCycleEnv({
    cache,
    rng: (stream) => sim.rng(`kube-scheduler/${stream}`),
    percentageOfNodesToScore: o.pct,
    nodes: 16,
    ...(o.evaluator === undefined ? {} : { evaluator: o.evaluator }),
    fusedKernel: o.kernel,
  });
}

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
  extra?: Record<string, string>;
  zone?: string;
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  const labels: Record<string, string> = { "kubernetes.io/hostname": name, ...(o.labels ?? {}) };
  if (o.zone !== undefined) labels["topology.kubernetes.io/zone"] = o.zone;
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels },
    spec: {},
    status: {
      allocatable: { cpu: o.cpu ?? "4", memory: o.memory ?? "32Gi", pods: o.pods ?? "110", ...(o.extra ?? {}) },
    },
  };
  if (o.taints !== undefined) (node.spec as NonNullable<Node["spec"]>).taints = o.taints;
  if (o.unschedulable) (node.spec as NonNullable<Node["spec"]>).unschedulable = true;
  if (o.images !== undefined) (node.status as NonNullable<Node["status"]>).images = o.images;
  return node;
}

export interface PodOpts {
  ns?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  priority?: number;
  nodeName?: string;
  tolerations?: Toleration[];
  spec?: Partial<PodSpec>;
  image?: string;
  startTime?: string;
  ownerRS?: string;
}

export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu !== undefined) requests.cpu = o.cpu;
  if (o.memory !== undefined) requests.memory = o.memory;
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: o.ns ?? "default", labels: o.labels ?? {} },
    spec: {
      containers: [
        {
          name: "c",
          image: o.image ?? "registry.k8s.io/pause:3.9",
          ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
        },
      ],
      schedulerName: "default-scheduler",
      priority: o.priority ?? 0,
      ...(o.tolerations === undefined ? {} : { tolerations: o.tolerations }),
      ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }),
      ...(o.spec ?? {}),
    },
  };
  if (o.startTime !== undefined) pod.status = { startTime: o.startTime };
  if (o.ownerRS !== undefined) {
    pod.metadata.ownerReferences = [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: o.ownerRS, uid: `uid-${o.ownerRS}`, controller: true },
    ];
  }
  return pod;
}

/** An API server stand-in: calls complete after `delayUs`; binds are fed back as pod updates. */
export class FakeApi implements SchedulerApi {
  readonly bound: [string, string][] = [];
  readonly deleted: string[] = [];
  readonly nominated: [string, string | undefined][] = [];
  scheduler: Scheduler | undefined;
  failBinds = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly delayUs = 1000,
    private readonly echo = true,
  ) {}

  bind(pod: Pod, nodeName: string, done: (error?: string) => void): void {
    this.sim.after(this.delayUs, () => {
      if (this.failBinds > 0) {
        this.failBinds--;
        done("conflict");
        return;
      }
      this.bound.push([`${pod.metadata.namespace}/${pod.metadata.name}`, nodeName]);
      done();
      if (this.echo && this.scheduler !== undefined) {
        const bound: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
        this.scheduler.onPodUpdate(pod, bound);
      }
    });
  }

  deletePod(pod: Pod, done: (error?: string) => void): void {
    this.sim.after(this.delayUs, () => {
      this.deleted.push(`${pod.metadata.namespace}/${pod.metadata.name}`);
      done();
      if (this.echo && this.scheduler !== undefined) this.scheduler.onPodDelete(pod);
    });
  }

  setNominatedNode(pod: Pod, nodeName: string | undefined, done: (error?: string) => void): void {
    this.nominated.push([`${pod.metadata.namespace}/${pod.metadata.name}`, nodeName]);
    this.sim.after(this.delayUs, () => done());
  }
}
