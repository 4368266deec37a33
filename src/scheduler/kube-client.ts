import type { KubeObject, Namespace, Node, Pod, ReplicaSet, Service } from "../api/types/index.js";
import type { Client } from "../apiserver/client.js";
import { type EventHandlers, Informer } from "../apiserver/informer.js";
import { ApiError } from "../apiserver/status.js";
import type { Simulation } from "../engine/simulation.js";
import type { ApiMetrics } from "../metrics/api-metrics.js";
import type { SchedulerApi } from "./api.js";
import type { Scheduler } from "./scheduler.js";

const err = (r: unknown) => (r instanceof ApiError ? r.message : undefined);

/**
 * The scheduler's writes as API calls through its client (QPS 50 / burst 100 by default), as
 * kube-scheduler makes them: POST pods/binding, DELETE for preemption victims, and status
 * patches for nominatedNodeName and the PodScheduled=False condition.
 */
export class ClientSchedulerApi implements SchedulerApi {
  constructor(private readonly client: Client) {}

  bind(pod: Pod, nodeName: string, done: (error?: string) => void): void {
    this.client.bind(pod, nodeName, (r) => done(err(r)));
  }

  deletePod(pod: Pod, done: (error?: string) => void): void {
    this.client.delete("pods", pod.metadata.namespace, pod.metadata.name as string, (r) => done(err(r)));
  }

  setNominatedNode(pod: Pod, nodeName: string | undefined, done: (error?: string) => void): void {
    this.client.patch(
      "pods",
      pod.metadata.namespace,
      pod.metadata.name as string,
      { status: { nominatedNodeName: nodeName ?? null } },
      (r) => done(err(r)),
      "status",
    );
  }

  setUnschedulable(pod: Pod, reason: string, message: string, done: (error?: string) => void): void {
    this.client.patch(
      "pods",
      pod.metadata.namespace,
      pod.metadata.name as string,
      (cur) => {
        const p = cur as Pod;
        const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
        conditions.push({ type: "PodScheduled", status: "False", reason, message });
        return { ...p, status: { ...p.status, conditions } } as KubeObject;
      },
      (r) => done(err(r)),
      "status",
    );
  }
}

/**
 * Feeds a scheduler from informers over the API server, as kube-scheduler's shared informers
 * do: nodes, pods (not finished), services, replica sets and namespaces. Returns the informers
 * (started).
 */
export function connectScheduler(sched: Scheduler, client: Client, sim: Simulation, metrics?: ApiMetrics): Informer[] {
  const on = <T extends KubeObject>(
    resource: string,
    add: (o: T) => void,
    update: (a: T, b: T) => void,
    del: (o: T) => void,
    fieldSelector?: string,
  ): Informer => {
    const inf = new Informer(client, sim, resource, {
      ...(fieldSelector === undefined ? {} : { fieldSelector }),
      ...(metrics === undefined ? {} : { metrics }),
    });
    const h: EventHandlers = {
      onAdd: (o) => add(o as T),
      onUpdate: (a, b) => update(a as T, b as T),
      onDelete: (o) => del(o as T),
    };
    inf.addEventHandler(h);
    inf.start();
    return inf;
  };
  return [
    on<Node>(
      "nodes",
      (n) => sched.onNodeAdd(n),
      (a, b) => sched.onNodeUpdate(a, b),
      (n) => sched.onNodeDelete(n),
    ),
    // kube-scheduler's pod informer skips finished pods.
    on<Pod>(
      "pods",
      (p) => sched.onPodAdd(p),
      (a, b) => sched.onPodUpdate(a, b),
      (p) => sched.onPodDelete(p),
      "status.phase!=Succeeded,status.phase!=Failed",
    ),
    on<Service>(
      "services",
      (s) => sched.onServiceAdd(s),
      (a, b) => sched.onServiceUpdate(a, b),
      (s) => sched.onServiceDelete(s),
    ),
    on<ReplicaSet>(
      "replicasets",
      (r) => sched.onReplicaSetAdd(r),
      (a, b) => sched.onReplicaSetUpdate(a, b),
      (r) => sched.onReplicaSetDelete(r),
    ),
    on<Namespace>(
      "namespaces",
      (n) => sched.onNamespaceAdd(n),
      (a, b) => sched.onNamespaceUpdate(a, b),
      (n) => sched.onNamespaceDelete(n),
    ),
  ];
}
