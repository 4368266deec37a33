/**
 * The resource table: for every kind the simulator models, its API group, version, plural
 * resource name and scope, as kube-apiserver serves them (the same facts `kubectl
 * api-resources` prints).
 */
import type { KubeKind } from "./types/index.js";

/** One row of the table. */
export interface ResourceInfo {
  readonly kind: KubeKind;
  /** API group; "" for the core (legacy) group. */
  readonly group: string;
  readonly version: string;
  /** `group/version`, or just `version` for the core group ("v1", "apps/v1"). */
  readonly apiVersion: string;
  /** Plural resource name as used in URLs and etcd keys ("pods", "endpointslices"). */
  readonly resource: string;
  readonly namespaced: boolean;
}

function row(kind: KubeKind, group: string, version: string, resource: string, namespaced: boolean): ResourceInfo {
  return { kind, group, version, apiVersion: group === "" ? version : `${group}/${version}`, resource, namespaced };
}

/** Every modelled kind. */
export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  row("Namespace", "", "v1", "namespaces", false),
  row("Node", "", "v1", "nodes", false),
  row("Pod", "", "v1", "pods", true),
  row("Service", "", "v1", "services", true),
  row("Event", "", "v1", "events", true),
  row("Lease", "coordination.k8s.io", "v1", "leases", true),
  row("ReplicaSet", "apps", "v1", "replicasets", true),
  row("Deployment", "apps", "v1", "deployments", true),
  row("DaemonSet", "apps", "v1", "daemonsets", true),
  row("Job", "batch", "v1", "jobs", true),
  row("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", true),
  row("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", false),
]);

const BY_KIND = new Map<string, ResourceInfo>(RESOURCES.map((r) => [r.kind, r]));
const BY_RESOURCE = new Map<string, ResourceInfo>(RESOURCES.map((r) => [r.resource, r]));

/** The row for a kind, or undefined when the kind is not modelled. */
export function lookupKind(kind: string): ResourceInfo | undefined {
  return BY_KIND.get(kind);
}

/** The row for a kind; throws for a kind the simulator does not model. */
export function resourceForKind(kind: string): ResourceInfo {
  const r = BY_KIND.get(kind);
  if (r === undefined) throw new Error(`unknown kind ${JSON.stringify(kind)}`);
  return r;
}

/** The row for a plural resource name ("pods"), or undefined. */
export function lookupResource(resource: string): ResourceInfo | undefined {
  return BY_RESOURCE.get(resource);
}

/** True when objects of this kind live in a namespace; unknown kinds count as namespaced. */
export function isNamespacedKind(kind: string): boolean {
  return BY_KIND.get(kind)?.namespaced ?? true;
}
