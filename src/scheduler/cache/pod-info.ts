/**
 * What the scheduler precomputes per pod object (upstream framework.PodInfo plus the resource
 * aggregates NodeInfo keeps): requests, host ports, compiled affinity terms, images.
 */
import { compileLabelSelector, type LabelMatcher, NOTHING } from "../../api/labels.js";
import { computePodRequests, newResourceRecord, type ResourceRecord } from "../../api/pod-resources.js";
import { parseTimestamp } from "../../api/time.js";
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../../api/types/core.js";

/** `fwk.AffinityTerm`: namespaces (or a namespace selector), a label selector and a topology key. */
export class AffinityTerm {
  constructor(
    readonly namespaces: ReadonlySet<string>,
    readonly nsSelector: LabelMatcher,
    readonly selector: LabelMatcher,
    readonly topologyKey: string,
    readonly weight: number,
  ) {}

  /** `AffinityTerm.Matches`: namespace (listed, or selected by labels) and label selector. */
  matches(pod: PodInfo, nsLabels: Readonly<Record<string, string>> | undefined): boolean {
    // A nil label set is an empty one: Everything (and NotIn-style selectors) still match it.
    if (this.namespaces.has(pod.namespace) || this.nsSelector.matches(nsLabels))
      return this.selector.matches(pod.labels);
    return false;
  }

  private canon: string | undefined;

  /** Canonical text for grouping identical terms. */
  get canonical(): string {
    if (this.canon !== undefined) return this.canon;
    const ns = [...this.namespaces].sort().join(",");
    const nss = this.nsSelector.matchesNothing ? "<none>" : this.nsSelector.toString();
    const sel = this.selector.matchesNothing ? "<none>" : this.selector.toString();
    this.canon = `${ns}|${nss}|${sel}|${this.topologyKey}|${this.weight}`;
    return this.canon;
  }
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** Image name normalised the way ImageLocality does: ":latest" when the last path part has no tag. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

const NO_PORTS: readonly HostPort[] = Object.freeze([]);
const NO_TERMS: readonly AffinityTerm[] = Object.freeze([]);

/** Whether some container lacks a cpu or memory request key (the non-zero defaults then differ). */
function needsNonZeroDefaults(pod: Pod): boolean {
  const lacks = (c: { resources?: { requests?: Record<string, string> } }) => {
    const r = c.resources?.requests;
    return r === undefined || !("cpu" in r) || !("memory" in r);
  };
  for (const c of pod.spec.containers ?? []) if (lacks(c)) return true;
  for (const c of pod.spec.initContainers ?? []) if (lacks(c)) return true;
  return false;
}

function addPorts(
  into: HostPort[] | undefined,
  ps: readonly { hostPort?: number; hostIP?: string; protocol?: string }[] | undefined,
): HostPort[] | undefined {
  if (ps === undefined) return into;
  let out = into;
  for (const p of ps) {
    if ((p.hostPort ?? 0) <= 0) continue;
    out ??= [];
    out.push({
      ip: p.hostIP === undefined || p.hostIP === "" ? "0.0.0.0" : p.hostIP,
      protocol: p.protocol === undefined || p.protocol === "" ? "TCP" : p.protocol,
      port: p.hostPort as number,
    });
  }
  return out;
}

function buildTerms(pod: Pod, list: readonly PodAffinityTerm[] | undefined, errors: string[]): readonly AffinityTerm[] {
  if (list === undefined || list.length === 0) return NO_TERMS;
  const out: AffinityTerm[] = [];
  for (const t of list) {
    try {
      out.push(buildTerm(pod, t, 0));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return out;
}

function buildWeighted(
  pod: Pod,
  list: readonly WeightedPodAffinityTerm[] | undefined,
  errors: string[],
): readonly AffinityTerm[] {
  if (list === undefined || list.length === 0) return NO_TERMS;
  const out: AffinityTerm[] = [];
  for (const t of list) {
    try {
      out.push(buildTerm(pod, t.podAffinityTerm, t.weight));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return out;
}

function buildTerm(pod: Pod, t: PodAffinityTerm, weight: number): AffinityTerm {
  const ns = t.namespaces ?? [];
  // getNamespacesFromPodAffinityTerm: no namespaces and a nil selector mean the pod's own namespace.
  const nsSet =
    ns.length === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null)
      ? new Set([pod.metadata.namespace ?? "default"])
      : new Set(ns);
  const nsSelector = compileLabelSelector(t.namespaceSelector ?? null);
  const selector = compileLabelSelector(t.labelSelector ?? null);
  return new AffinityTerm(nsSet, nsSelector, selector, t.topologyKey, weight);
}

export class PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  /** True requests (cpu millicores, bytes, scalars), init containers, sidecars and overhead included. */
  readonly req: ResourceRecord;
  /** cpu / memory with the per-container non-zero defaults (scoring, NonZeroRequested). */
  readonly nzCpu: number;
  readonly nzMem: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
  /** Set when a term's selector does not compile (upstream: "parsing pod: ..."). */
  readonly parseError: string | undefined;
  readonly images: readonly string[];
  readonly numContainers: number;
  readonly terminating: boolean;
  /** status.startTime in virtual µs, when set. */
  readonly startTime: number | undefined;

  constructor(pod: Pod, base?: PodInfo) {
    this.pod = pod;
    if (base !== undefined) {
      this.namespace = base.namespace;
      this.name = base.name;
      this.key = base.key;
      this.labels = base.labels;
      this.priority = base.priority;
      this.req = base.req;
      this.nzCpu = base.nzCpu;
      this.nzMem = base.nzMem;
      this.hostPorts = base.hostPorts;
      this.requiredAffinity = base.requiredAffinity;
      this.requiredAntiAffinity = base.requiredAntiAffinity;
      this.preferredAffinity = base.preferredAffinity;
      this.preferredAntiAffinity = base.preferredAntiAffinity;
      this.parseError = base.parseError;
      this.images = base.images;
      this.numContainers = base.numContainers;
      this.terminating = base.terminating;
      this.startTime = base.startTime;
      return;
    }
    this.namespace = pod.metadata.namespace ?? "default";
    this.name = pod.metadata.name ?? "";
    this.key = `${this.namespace}/${this.name}`;
    this.labels = pod.metadata.labels ?? {};
    this.priority = pod.spec.priority ?? 0;
    this.req = computePodRequests(pod, newResourceRecord(), false);
    if (needsNonZeroDefaults(pod)) {
      const nz = computePodRequests(pod, newResourceRecord(), true);
      this.nzCpu = nz.milliCPU;
      this.nzMem = nz.memory;
    } else {
      this.nzCpu = this.req.milliCPU;
      this.nzMem = this.req.memory;
    }
    let ports: HostPort[] | undefined;
    // schedutil.GetHostPorts: sidecar init containers (restartPolicy Always), then containers.
    for (const c of pod.spec.initContainers ?? []) if (c.restartPolicy === "Always") ports = addPorts(ports, c.ports);
    for (const c of pod.spec.containers ?? []) ports = addPorts(ports, c.ports);
    this.hostPorts = ports ?? NO_PORTS;

    const a = pod.spec.affinity;
    if (a === undefined || (a.podAffinity === undefined && a.podAntiAffinity === undefined)) {
      this.requiredAffinity = NO_TERMS;
      this.requiredAntiAffinity = NO_TERMS;
      this.preferredAffinity = NO_TERMS;
      this.preferredAntiAffinity = NO_TERMS;
      this.parseError = undefined;
    } else {
      const errors: string[] = [];
      this.requiredAffinity = buildTerms(pod, a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, errors);
      this.requiredAntiAffinity = buildTerms(
        pod,
        a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
        errors,
      );
      this.preferredAffinity = buildWeighted(
        pod,
        a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
        errors,
      );
      this.preferredAntiAffinity = buildWeighted(
        pod,
        a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
        errors,
      );
      this.parseError = errors[0];
    }

    const images: string[] = [];
    for (const c of pod.spec.initContainers ?? []) images.push(normalizedImageName(c.image ?? ""));
    for (const c of pod.spec.containers ?? []) images.push(normalizedImageName(c.image ?? ""));
    this.images = images;
    this.numContainers = images.length;
    this.terminating = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
    const st = pod.status?.startTime;
    this.startTime = st === undefined ? undefined : parseTimestamp(st);
  }

  /**
   * This info for a new version of the pod when nothing the scheduler reads changed (the same
   * container, affinity and label objects, as when only spec.nodeName or status moved);
   * otherwise a fresh PodInfo.
   */
  rebind(pod: Pod): PodInfo {
    const a = this.pod;
    if (
      a !== pod &&
      a.spec.containers === pod.spec.containers &&
      a.spec.initContainers === pod.spec.initContainers &&
      a.spec.overhead === pod.spec.overhead &&
      a.spec.affinity === pod.spec.affinity &&
      a.spec.priority === pod.spec.priority &&
      a.spec.schedulingGates === pod.spec.schedulingGates &&
      a.metadata.labels === pod.metadata.labels &&
      a.metadata.namespace === pod.metadata.namespace &&
      a.metadata.name === pod.metadata.name &&
      a.metadata.deletionTimestamp === pod.metadata.deletionTimestamp &&
      a.status?.startTime === pod.status?.startTime
    ) {
      return new PodInfo(pod, this);
    }
    return new PodInfo(pod);
  }

  /** The cache key of a pod object: namespace/name. */
  static keyOf(pod: Pod): string {
    return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? ""}`;
  }

  /** Has any affinity or anti-affinity term (NodeInfo.PodsWithAffinity). */
  get hasAffinity(): boolean {
    return (
      this.requiredAffinity.length +
        this.requiredAntiAffinity.length +
        this.preferredAffinity.length +
        this.preferredAntiAffinity.length >
      0
    );
  }
}

/** A matcher that never matches, exported for callers building terms by hand. */
export const MATCH_NOTHING = NOTHING;
