/**
 * etcd keys as kube-apiserver lays them out (etcd.md §12; upstream
 * pkg/kubeapiserver/default_storage_factory_builder.go `specialDefaultResourcePrefixes` and
 * the registry stores' KeyFunc / KeyRootFunc in
 * staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go):
 *
 *   namespaced:      /registry/<prefix>/<namespace>/<name>
 *   cluster-scoped:  /registry/<prefix>/<name>
 *   list prefix:     /registry/<prefix>/            (kube-apiserver appends "/" before a range)
 *
 * where <prefix> is the plural resource name except for a few historical names.
 */
import { resourceForKind } from "./resources.js";
import type { ObjectMeta } from "./types/meta.js";

/** The default `--etcd-prefix`. */
export const REGISTRY_PREFIX = "/registry";

/** `specialDefaultResourcePrefixes`, keyed by "<group>/<resource>" (core group is ""). */
const SPECIAL_PREFIXES = new Map<string, string>([
  ["/replicationcontrollers", "controllers"],
  ["/endpoints", "services/endpoints"],
  ["/nodes", "minions"],
  ["/services", "services/specs"],
  ["extensions/ingresses", "ingress"],
  ["networking.k8s.io/ingresses", "ingress"],
  ["policy/podsecuritypolicies", "podsecuritypolicy"],
]);

/** The path segment a resource is stored under: "pods", but "minions" for nodes, etc. */
export function storagePrefix(resource: string, group = ""): string {
  return SPECIAL_PREFIXES.get(`${group}/${resource}`) ?? resource;
}

/** The prefix that lists every object of a resource, with the trailing "/". */
export function registryListPrefix(resource: string, group = ""): string {
  return `${REGISTRY_PREFIX}/${storagePrefix(resource, group)}/`;
}

/** The prefix that lists a resource within one namespace, with the trailing "/". */
export function registryNamespacePrefix(resource: string, namespace: string, group = ""): string {
  if (namespace === "") throw new Error(`namespace prefix of ${resource} needs a namespace`);
  return `${registryListPrefix(resource, group)}${namespace}/`;
}

/** The key of one object given its resource, namespace ("" or undefined when cluster-scoped) and name. */
export function registryKeyFor(resource: string, namespace: string | undefined, name: string, group = ""): string {
  if (name === "") throw new Error(`key of ${resource} needs a name`);
  const ns = namespace ?? "";
  return ns === ""
    ? `${registryListPrefix(resource, group)}${name}`
    : `${registryListPrefix(resource, group)}${ns}/${name}`;
}

/** The etcd key of an object, from its kind, namespace and name; throws if scope and namespace disagree. */
export function registryKey(obj: { kind: string; metadata: ObjectMeta }): string {
  const info = resourceForKind(obj.kind);
  const name = obj.metadata.name ?? "";
  const namespace = obj.metadata.namespace ?? "";
  if (info.namespaced && namespace === "") throw new Error(`${obj.kind} ${JSON.stringify(name)} needs a namespace`);
  if (!info.namespaced && namespace !== "") throw new Error(`${obj.kind} is cluster-scoped but has a namespace`);
  return registryKeyFor(info.resource, namespace, name, info.group);
}
