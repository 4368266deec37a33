/**
 * The kube-scheduler actor: informer handlers feed the cache and the queue; one scheduling
 * cycle runs at a time on the virtual clock, each lasting the time the cost model gives for the
 * work it did; binding is asynchronous through the SchedulerApi and never blocks the next cycle
 * (pkg/scheduler/scheduler.go, schedule_one.go, eventhandlers.go).
 */
import type { Node, Pod, ReplicaSet, Service } from "../api/types/index.js";
import { Actor } from "../engine/actor.js";
import type { Rng } from "../engine/rng.js";
import type { Simulation } from "../engine/simulation.js";
import { PeriodicTimer } from "../engine/timer.js";
import type { SchedulerApi } from "./api.js";
import { SchedulerCache } from "./cache/cache.js";
import type { PodDisruptionBudget, ReplicationController, StatefulSet } from "./cache/objects.js";
import { PodInfo } from "./cache/pod-info.js";
import { defaultSchedulerConfig } from "./config/parse.js";
import type { SchedulerConfig } from "./config/types.js";
import { type CycleWork, cycleCost } from "./cost.js";
import { newCycleEnv } from "./framework/cycle-env.js";
import { type CycleEnv, type CycleResult, Framework } from "./framework/framework.js";
import type { Evaluator } from "./nodetable/evaluator.js";
import { type ClusterEvent, nodeChanges } from "./queue/events.js";
import { type QueuedPod, SchedulingQueue, SECOND_US } from "./queue/scheduling-queue.js";

export interface SchedulerOptions {
  config?: SchedulerConfig;
  /** Evaluator for Filter/Score scans (a ParallelEvaluator for worker threads); serial by default. */
  evaluator?: Evaluator;
  /** Initial node-table capacity. */
  initialNodes?: number;
  /** Called after every cycle (for metrics and tests). */
  onCycle?: (e: CycleEvent) => void;
}

/** What one cycle did, reported to `onCycle`. */
export interface CycleEvent {
  pod: string;
  start: number;
  end: number;
  attempts: number;
  result: CycleResult;
  cost: number;
}

export interface SchedulerStats {
  cycles: number;
  scheduled: number;
  unschedulable: number;
  errors: number;
  bindings: number;
  bindFailures: number;
  preemptions: number;
  busyUs: number;
}

export class Scheduler extends Actor {
  readonly config: SchedulerConfig;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly profiles = new Map<string, Framework>();
  readonly stats: SchedulerStats = {
    cycles: 0,
    scheduled: 0,
    unschedulable: 0,
    errors: 0,
    bindings: 0,
    bindFailures: 0,
    preemptions: 0,
    busyUs: 0,
  };
  /** (pod, node) decisions in order, when `recordDecisions` is set. */
  readonly decisions: [string, string][] = [];
  recordDecisions = false;
  private readonly env: CycleEnv;
  private readonly api: SchedulerApi;
  private busy = false;
  private readonly deletedWhileBinding = new Set<string>();
  private started = false;
  private readonly timers: PeriodicTimer[] = [];
  private readonly onCycle: ((e: CycleEvent) => void) | undefined;

  constructor(sim: Simulation, name: string, api: SchedulerApi, options: SchedulerOptions = {}) {
    super(sim, name);
    this.api = api;
    this.config = options.config ?? defaultSchedulerConfig();
    this.cache = new SchedulerCache(options.initialNodes ?? 64);
    for (const p of this.config.profiles) this.profiles.set(p.schedulerName, new Framework(p, this.cache));
    this.queue = new SchedulingQueue(
      {
        podInitialBackoffSeconds: this.config.podInitialBackoffSeconds,
        podMaxBackoffSeconds: this.config.podMaxBackoffSeconds,
      },
      () => this.sim.now,
    );
    this.queue.onActive = () => this.kick();
    this.env = newCycleEnv({
      cache: this.cache,
      rng: (stream) => this.rng(stream),
      percentageOfNodesToScore: this.config.percentageOfNodesToScore,
      nodes: options.initialNodes ?? 64,
      ...(options.evaluator === undefined ? {} : { evaluator: options.evaluator }),
      fusedKernel: this.config.kubesim.fusedKernel,
    });
    this.onCycle = options.onCycle;
  }

  /** The evaluator in use (its buffers are shared with worker threads when parallel). */
  get evaluator(): Evaluator {
    return this.env.evaluator;
  }

  get nextStartNodeIndex(): number {
    return this.env.nextStartNodeIndex;
  }

  /** Starts the flush loops (backoffQ every 1 s, leftover unschedulable pods every 30 s) and the cycle loop. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.timers.push(
      new PeriodicTimer(this.sim, { period: SECOND_US, immediate: false }, () => {
        this.queue.flushBackoff();
        return undefined;
      }).start(),
      new PeriodicTimer(this.sim, { period: 30 * SECOND_US, immediate: false }, () => {
        this.queue.flushUnschedulableLeftover();
        return undefined;
      }).start(),
    );
    this.kick();
    return this;
  }

  /** Stops the flush loops; cycles already scheduled still finish. */
  stop(): void {
    for (const t of this.timers) t.stop();
    this.timers.length = 0;
    this.started = false;
  }

  private kick(): void {
    if (!this.started || this.busy || this.queue.activeCount === 0) return;
    this.busy = true;
    this.after(0, this.cycle, undefined);
  }

  private rngOf(stream: string): Rng {
    return this.rng(stream);
  }

  // -------------------------------------------------------------------------------------------
  // Informer handlers

  private frameworkFor(pod: Pod): Framework | undefined {
    return this.profiles.get(pod.spec.schedulerName ?? "default-scheduler");
  }

  private isAssigned(pod: Pod): boolean {
    return pod.spec.nodeName !== undefined && pod.spec.nodeName !== "";
  }

  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.event({ kind: "NodeAdd", node });
  }

  onNodeUpdate(oldNode: Node, node: Node): void {
    this.cache.updateNode(node);
    const changes = nodeChanges(oldNode, node);
    if (changes !== 0) this.event({ kind: "NodeUpdate", oldNode, node, changes });
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata.name ?? "");
    this.event({ kind: "NodeDelete", node });
  }

  onPodAdd(pod: Pod): void {
    if (this.isAssigned(pod)) {
      const existed = this.cache.podRecord(PodInfo.keyOf(pod)) !== undefined;
      const rec = this.cache.addOrUpdateAssignedPod(pod);
      this.queue.delete(rec.info.key);
      if (this.cache.nominatedNodeOf(rec.info.key) !== undefined) this.cache.nominate(rec.info, undefined);
      this.event(
        existed
          ? { kind: "AssignedPodUpdate", oldPod: rec.info, pod: rec.info }
          : { kind: "AssignedPodAdd", pod: rec.info },
      );
      return;
    }
    const fw = this.frameworkFor(pod);
    if (fw === undefined) return;
    const info = new PodInfo(pod);
    if (info.terminating) return;
    const nominated = pod.status?.nominatedNodeName;
    if (nominated !== undefined && nominated !== "") this.cache.nominate(info, nominated);
    this.queue.add(info, fw);
  }

  onPodUpdate(oldPod: Pod, pod: Pod): void {
    if (this.isAssigned(pod)) {
      const key = PodInfo.keyOf(pod);
      const prev = this.cache.podRecord(key);
      const oldInfo = prev?.info;
      const rec = this.cache.addOrUpdateAssignedPod(pod);
      this.queue.delete(key);
      if (this.cache.nominatedNodeOf(key) !== undefined) this.cache.nominate(rec.info, undefined);
      if (oldInfo === undefined) this.event({ kind: "AssignedPodAdd", pod: rec.info });
      else this.event({ kind: "AssignedPodUpdate", oldPod: oldInfo, pod: rec.info });
      return;
    }
    void oldPod;
    const info = new PodInfo(pod);
    if (info.terminating) {
      this.queue.delete(info.key);
      return;
    }
    if (this.queue.get(info.key) === undefined) {
      this.onPodAdd(pod);
      return;
    }
    const nominated = pod.status?.nominatedNodeName;
    if (nominated !== undefined && nominated !== "") this.cache.nominate(info, nominated);
    this.queue.update(info);
  }

  onPodDelete(pod: Pod): void {
    const key = PodInfo.keyOf(pod);
    const rec = this.cache.removePod(key);
    if (rec?.assumed === true) this.deletedWhileBinding.add(key);
    if (this.cache.nominatedNodeOf(key) !== undefined) this.cache.nominate(new PodInfo(pod), undefined);
    if (rec !== undefined) {
      this.event({ kind: "AssignedPodDelete", pod: rec.info });
      return;
    }
    this.queue.delete(key);
  }

  onNamespaceAdd(ns: { metadata: { name?: string; labels?: Record<string, string> } }): void {
    this.cache.setNamespace(ns.metadata.name ?? "", ns.metadata.labels);
  }

  onNamespaceUpdate(_old: unknown, ns: { metadata: { name?: string; labels?: Record<string, string> } }): void {
    this.onNamespaceAdd(ns);
  }

  onNamespaceDelete(ns: { metadata: { name?: string } }): void {
    this.cache.deleteNamespace(ns.metadata.name ?? "");
  }

  private static objKey(o: { metadata: { namespace?: string; name?: string } }): string {
    return `${o.metadata.namespace ?? "default"}/${o.metadata.name ?? ""}`;
  }

  onServiceAdd(s: Service): void {
    this.cache.services.set(Scheduler.objKey(s), s);
  }
  onServiceUpdate(_old: Service, s: Service): void {
    this.onServiceAdd(s);
  }
  onServiceDelete(s: Service): void {
    this.cache.services.delete(Scheduler.objKey(s));
  }
  onReplicaSetAdd(o: ReplicaSet): void {
    this.cache.replicaSets.set(Scheduler.objKey(o), o);
  }
  onReplicaSetUpdate(_old: ReplicaSet, o: ReplicaSet): void {
    this.onReplicaSetAdd(o);
  }
  onReplicaSetDelete(o: ReplicaSet): void {
    this.cache.replicaSets.delete(Scheduler.objKey(o));
  }
  onStatefulSetAdd(o: StatefulSet): void {
    this.cache.statefulSets.set(Scheduler.objKey(o), o);
  }
  onStatefulSetUpdate(_old: StatefulSet, o: StatefulSet): void {
    this.onStatefulSetAdd(o);
  }
  onStatefulSetDelete(o: StatefulSet): void {
    this.cache.statefulSets.delete(Scheduler.objKey(o));
  }
  onReplicationControllerAdd(o: ReplicationController): void {
    this.cache.replicationControllers.set(Scheduler.objKey(o), o);
  }
  onReplicationControllerUpdate(_old: ReplicationController, o: ReplicationController): void {
    this.onReplicationControllerAdd(o);
  }
  onReplicationControllerDelete(o: ReplicationController): void {
    this.cache.replicationControllers.delete(Scheduler.objKey(o));
  }
  onPodDisruptionBudgetAdd(o: PodDisruptionBudget): void {
    this.cache.pdbs.set(Scheduler.objKey(o), o);
  }
  onPodDisruptionBudgetUpdate(_old: PodDisruptionBudget, o: PodDisruptionBudget): void {
    this.onPodDisruptionBudgetAdd(o);
  }
  onPodDisruptionBudgetDelete(o: PodDisruptionBudget): void {
    this.cache.pdbs.delete(Scheduler.objKey(o));
  }

  private event(e: ClusterEvent, exclude?: string): void {
    this.queue.moveAll(e, exclude);
  }

  // -------------------------------------------------------------------------------------------
  // The scheduling cycle

  private readonly cycle = (): void => {
    const q = this.queue.pop();
    if (q === undefined) {
      this.busy = false;
      this.env.evaluator.idle?.();
      return;
    }
    const start = this.sim.now;
    // skipPodSchedule: a pod being deleted, or already assumed.
    if (q.info.terminating || this.cache.isAssumed(q.key)) {
      this.queue.done(q.key);
      this.after(0, this.cycle, undefined);
      return;
    }
    this.env.now = start;
    const result = q.fw.schedulePod(this.env, q.info);
    const cost = cycleCost(this.config.kubesim.costModel, this.config.parallelism, result.work);
    this.stats.cycles++;
    this.stats.busyUs += cost;
    this.after(cost, this.finishCycle, { q, result, start, cost });
  };

  private readonly finishCycle = (c: { q: QueuedPod; result: CycleResult; start: number; cost: number }): void => {
    const { q, result } = c;
    const stillQueued = this.queue.get(q.key) === q;
    if (result.node !== undefined && stillQueued) {
      const node = this.cache.nodes.get(result.node);
      if (node === undefined) {
        this.fail(q, { ...result, status: result.status, node: undefined }, true);
      } else {
        this.assumeAndBind(q, result.node);
      }
    } else if (stillQueued) {
      this.fail(q, result, !result.status.isRejected);
    } else {
      this.queue.done(q.key);
    }
    this.onCycle?.({ pod: q.key, start: c.start, end: this.sim.now, attempts: q.attempts, result, cost: c.cost });
    this.after(0, this.cycle, undefined);
  };

  private assumeAndBind(q: QueuedPod, nodeName: string): void {
    const info = q.info;
    this.cache.assume(info, nodeName);
    // An assumed pod is no longer nominated (DeleteNominatedPodIfExists).
    if (this.cache.nominatedNodeOf(info.key) !== undefined) this.cache.nominate(info, undefined);
    this.stats.scheduled++;
    if (this.recordDecisions) this.decisions.push([info.key, nodeName]);
    // The binding cycle starts: the pod leaves the queue's in-flight set.
    this.queue.done(q.key);
    const binder = q.fw.bindPlugins[0];
    if (binder === undefined) return;
    binder.bind(this.api, info, nodeName, (error?: string) => this.bindDone(q, info, nodeName, error));
  }

  private bindDone(q: QueuedPod, info: PodInfo, nodeName: string, error: string | undefined): void {
    if (error === undefined) {
      this.stats.bindings++;
      return;
    }
    this.stats.bindFailures++;
    // handleBindingCycleError: forget the assumed pod (an AssignedPodDelete for everyone else) and requeue.
    void nodeName;
    this.cache.forget(info.key);
    this.event({ kind: "AssignedPodDelete", pod: info }, info.key);
    if (this.deletedWhileBinding.delete(info.key)) return;
    this.stats.errors++;
    this.queue.requeueAfterError(q);
  }

  private fail(q: QueuedPod, result: CycleResult, isError: boolean): void {
    if (isError) this.stats.errors++;
    else this.stats.unschedulable++;
    const nominated = result.nominatedNode;
    if (nominated !== undefined) {
      const current = this.cache.nominatedNodeOf(q.key) ?? q.info.pod.status?.nominatedNodeName ?? "";
      if (nominated !== current) {
        this.cache.nominate(q.info, nominated === "" ? undefined : nominated);
        this.api.setNominatedNode(q.info.pod, nominated === "" ? undefined : nominated, () => {});
      } else if (nominated !== "") {
        this.cache.nominate(q.info, nominated);
      }
    }
    const pf = result.postFilter;
    if (pf?.candidate !== undefined) {
      this.stats.preemptions++;
      for (const v of pf.candidate.victims) {
        v.preempted = true;
        this.api.deletePod(v.info.pod, () => {});
      }
      for (const p of pf.clearNominated) {
        this.cache.nominate(p, undefined);
        this.api.setNominatedNode(p.pod, undefined, () => {});
      }
    }
    this.api.setUnschedulable?.(
      q.info.pod,
      isError ? "SchedulerError" : "Unschedulable",
      result.status.message,
      () => {},
    );
    const rejectors = isError ? new Set<string>() : (result.diagnosis?.unschedulablePlugins ?? new Set<string>());
    this.queue.addUnschedulable(q, rejectors);
  }

  /** The work counters the cost model used for the last cycle (exposed for tests). */
  static costOf(config: SchedulerConfig, work: CycleWork): number {
    return cycleCost(config.kubesim.costModel, config.parallelism, work);
  }

  /** A named stream of this scheduler (kept for components layered on top). */
  stream(name: string): Rng {
    return this.rngOf(name);
  }
}
