/**
 * API defaulting: what kube-apiserver fills in before it stores an object, for the fields
 * that matter to scheduling and lifecycle. Each function mutates the object in place and
 * returns it. Sources:
 * - pkg/apis/core/v1/defaults.go: SetDefaults_Pod, SetDefaults_PodSpec, SetDefaults_Container,
 *   SetDefaults_ResourceList, SetDefaults_Service, SetDefaults_Namespace(Status),
 *   SetDefaults_NodeStatus; declarative defaults in k8s.io/api/core/v1/types.go
 *   (ContainerPort.protocol, EnableServiceLinks);
 * - pkg/apis/apps/v1/defaults.go: SetDefaults_Deployment, SetDefaults_ReplicaSet,
 *   SetDefaults_DaemonSet (also k8s-timing.md §1.7);
 * - pkg/apis/batch/v1/defaults.go: SetDefaults_Job;
 * - pkg/apis/scheduling/v1/defaults.go: SetDefaults_PriorityClass;
 * - plugin/pkg/admission/priority and defaulttolerationseconds: the admission plugins that
 *   set spec.priority / preemptionPolicy and add the 300 s not-ready/unreachable tolerations.
 */
import { parseQuantity, roundUpToMilli } from "./quantity.js";
import type { DaemonSet, Deployment, ReplicaSet } from "./types/apps.js";
import type { Job } from "./types/batch.js";
import type { Container, Namespace, Node, Pod, PodSpec, PodTemplateSpec, ResourceList, Service } from "./types/core.js";
import type { KubeObject } from "./types/index.js";
import type { PriorityClass } from "./types/scheduling.js";

/** `v1.DefaultSchedulerName`. */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
/** `v1.DefaultTerminationGracePeriodSeconds`. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** `v1.TerminationMessagePathDefault`. */
export const TERMINATION_MESSAGE_PATH_DEFAULT = "/dev/termination-log";
/** DefaultTolerationSeconds admission plugin: `--default-not-ready-toleration-seconds` and unreachable, 300 s. */
export const DEFAULT_TOLERATION_SECONDS = 300;
/** `scheduling.DefaultPriorityWhenNoDefaultClassExists`. */
export const DEFAULT_PRIORITY = 0;

/**
 * `SetDefaults_ResourceList`: values are rounded up to milli precision ("0.1m" → "1m").
 * Values already at milli precision keep their text.
 */
export function defaultResourceList(list: ResourceList | undefined): void {
  if (list === undefined) return;
  for (const [k, v] of Object.entries(list)) {
    const text = String(v);
    parseQuantity(text, k); // reject what is not a quantity, naming the resource
    list[k] = roundUpToMilli(text);
  }
}

/** The tag of an image reference ("latest" when none), as parsers.ParseImageName reads it. */
function imageTag(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return ""; // pinned by digest: no tag
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : "latest";
}

/** `SetDefaults_Container` plus the ContainerPort protocol default. */
export function defaultContainer(c: Container): Container {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === "") {
    c.imagePullPolicy = imageTag(c.image ?? "") === "latest" ? "Always" : "IfNotPresent";
  }
  if (c.terminationMessagePath === undefined || c.terminationMessagePath === "") {
    c.terminationMessagePath = TERMINATION_MESSAGE_PATH_DEFAULT;
  }
  if (c.terminationMessagePolicy === undefined || c.terminationMessagePolicy === "")
    c.terminationMessagePolicy = "File";
  for (const p of c.ports ?? []) if (p.protocol === undefined || p.protocol === "") p.protocol = "TCP";
  if (c.resources !== undefined) {
    defaultResourceList(c.resources.requests);
    defaultResourceList(c.resources.limits);
  }
  return c;
}

/** `SetDefaults_PodSpec` (applies to pod templates too) and the container defaults. */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  if (spec.dnsPolicy === undefined || spec.dnsPolicy === "") spec.dnsPolicy = "ClusterFirst";
  if (spec.restartPolicy === undefined || spec.restartPolicy === "") spec.restartPolicy = "Always";
  if (spec.securityContext === undefined) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) {
    spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  }
  if (spec.schedulerName === undefined || spec.schedulerName === "") spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  defaultResourceList(spec.overhead);
  return spec;
}

/** Requests default to limits for every resource that has a limit but no request (SetDefaults_Pod). */
function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (limits === undefined || c.resources === undefined) return;
  const requests = c.resources.requests ?? {};
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  c.resources.requests = requests;
}

/**
 * `SetDefaults_Pod` + `SetDefaults_PodSpec`: requests from limits, enableServiceLinks true,
 * host-network ports get hostPort = containerPort, dnsPolicy ClusterFirst, restartPolicy
 * Always, terminationGracePeriodSeconds 30, schedulerName "default-scheduler", container
 * pull policy / termination message defaults, resource values rounded up to milli; plus what
 * the Priority admission plugin does when no PriorityClass is involved: priority 0 when
 * neither priority nor priorityClassName is set, preemptionPolicy PreemptLowerPriority.
 * Use `applyPriorityClass` when the pod names a class.
 */
export function defaultPod(pod: Pod): Pod {
  const spec = pod.spec;
  for (const c of spec.containers ?? []) requestsFromLimits(c);
  for (const c of spec.initContainers ?? []) requestsFromLimits(c);
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (p.hostPort === undefined || p.hostPort === 0) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec);
  if (spec.priority === undefined && (spec.priorityClassName ?? "") === "") spec.priority = DEFAULT_PRIORITY;
  if (spec.preemptionPolicy === undefined || spec.preemptionPolicy === "")
    spec.preemptionPolicy = "PreemptLowerPriority";
  return pod;
}

/**
 * The Priority admission plugin for a pod that names a PriorityClass (or has none while a
 * global default class exists): copies the class's value into spec.priority and its
 * preemptionPolicy (default PreemptLowerPriority) into spec.preemptionPolicy.
 */
export function applyPriorityClass(pod: Pod, cls: PriorityClass | undefined): Pod {
  const spec = pod.spec;
  if (cls === undefined) {
    spec.priority = DEFAULT_PRIORITY;
  } else {
    if ((spec.priorityClassName ?? "") === "") spec.priorityClassName = cls.metadata.name;
    spec.priority = cls.value;
    spec.preemptionPolicy = cls.preemptionPolicy ?? "PreemptLowerPriority";
  }
  if (spec.preemptionPolicy === undefined || spec.preemptionPolicy === "")
    spec.preemptionPolicy = "PreemptLowerPriority";
  return pod;
}

/**
 * The DefaultTolerationSeconds admission plugin: unless the pod already tolerates them, add
 * NoExecute tolerations for node.kubernetes.io/not-ready and /unreachable for 300 s.
 */
export function addDefaultTolerations(pod: Pod, seconds = DEFAULT_TOLERATION_SECONDS): Pod {
  const tolerations = pod.spec.tolerations ?? [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    const covered = tolerations.some(
      (t) =>
        ((t.effect ?? "") === "" || t.effect === "NoExecute") &&
        ((t.key ?? "") === "" ? t.operator === "Exists" : t.key === key),
    );
    if (!covered) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
  }
  pod.spec.tolerations = tolerations;
  return pod;
}

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec !== undefined) defaultPodSpec(t.spec);
}

/** `SetDefaults_Deployment`: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600. */
export function defaultDeployment(d: Deployment): Deployment {
  const spec = d.spec;
  if (spec.replicas === undefined) spec.replicas = 1;
  const strategy = spec.strategy ?? {};
  if (strategy.type === undefined || strategy.type === "") strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = strategy.rollingUpdate ?? {};
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = "25%";
    if (ru.maxSurge === undefined) ru.maxSurge = "25%";
    strategy.rollingUpdate = ru;
  }
  spec.strategy = strategy;
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec.template);
  return d;
}

/** `SetDefaults_ReplicaSet`: replicas 1. */
export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  if (rs.spec.replicas === undefined) rs.spec.replicas = 1;
  defaultTemplate(rs.spec.template);
  return rs;
}

/** `SetDefaults_DaemonSet`: RollingUpdate with maxUnavailable 1, maxSurge 0; revisionHistoryLimit 10. */
export function defaultDaemonSet(ds: DaemonSet): DaemonSet {
  const spec = ds.spec;
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type === undefined || strategy.type === "") strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = strategy.rollingUpdate ?? {};
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined) ru.maxSurge = 0;
    strategy.rollingUpdate = ru;
  }
  spec.updateStrategy = strategy;
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  defaultTemplate(spec.template);
  return ds;
}

/** `SetDefaults_Job`: completions and parallelism 1 when both unset, backoffLimit 6, NonIndexed, not suspended. */
export function defaultJob(job: Job): Job {
  const spec = job.spec;
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = 6;
  const labels = spec.template.metadata?.labels;
  if (labels !== undefined && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
  if (spec.completionMode === undefined) spec.completionMode = "NonIndexed";
  if (spec.suspend === undefined) spec.suspend = false;
  defaultTemplate(spec.template);
  return job;
}

/** `SetDefaults_Namespace` / `NamespaceStatus`: label kubernetes.io/metadata.name, phase Active. */
export function defaultNamespace(ns: Namespace): Namespace {
  const name = ns.metadata.name ?? "";
  if (name !== "") ns.metadata.labels = { ...(ns.metadata.labels ?? {}), "kubernetes.io/metadata.name": name };
  ns.status = ns.status ?? {};
  if (ns.status.phase === undefined) ns.status.phase = "Active";
  return ns;
}

/** `SetDefaults_NodeStatus`: allocatable defaults to capacity. */
export function defaultNode(node: Node): Node {
  const status = node.status;
  if (status?.capacity !== undefined && status.allocatable === undefined) status.allocatable = { ...status.capacity };
  defaultResourceList(status?.capacity);
  defaultResourceList(status?.allocatable);
  return node;
}

/** `SetDefaults_Service` subset: type ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port. */
export function defaultService(svc: Service): Service {
  const spec = svc.spec ?? {};
  if (spec.type === undefined || spec.type === "") spec.type = "ClusterIP";
  if (spec.sessionAffinity === undefined || spec.sessionAffinity === "") spec.sessionAffinity = "None";
  for (const p of spec.ports ?? []) {
    if (p.protocol === undefined || p.protocol === "") p.protocol = "TCP";
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (
    spec.internalTrafficPolicy === undefined &&
    (spec.type === "ClusterIP" || spec.type === "NodePort" || spec.type === "LoadBalancer")
  ) {
    spec.internalTrafficPolicy = "Cluster";
  }
  svc.spec = spec;
  return svc;
}

/** `SetDefaults_PriorityClass`: preemptionPolicy PreemptLowerPriority. */
export function defaultPriorityClass(pc: PriorityClass): PriorityClass {
  if (pc.preemptionPolicy === undefined || pc.preemptionPolicy === "") pc.preemptionPolicy = "PreemptLowerPriority";
  return pc;
}

/** Applies the defaults for the object's kind (no-op for kinds without modelled defaults). */
export function defaultObject<T extends KubeObject>(obj: T): T {
  switch (obj.kind) {
    case "Pod":
      defaultPod(obj);
      break;
    case "Deployment":
      defaultDeployment(obj);
      break;
    case "ReplicaSet":
      defaultReplicaSet(obj);
      break;
    case "DaemonSet":
      defaultDaemonSet(obj);
      break;
    case "Job":
      defaultJob(obj);
      break;
    case "Namespace":
      defaultNamespace(obj);
      break;
    case "Node":
      defaultNode(obj);
      break;
    case "Service":
      defaultService(obj);
      break;
    case "PriorityClass":
      defaultPriorityClass(obj);
      break;
    default:
      break;
  }
  return obj;
}
