/** The object model: every kind the simulator knows, the `KubeObject` union and `List`. */
import type { DaemonSet, Deployment, ReplicaSet } from "./apps.js";
import type { Job } from "./batch.js";
import type { Lease } from "./coordination.js";
import type { Event, Namespace, Node, Pod, Service } from "./core.js";
import type { EndpointSlice } from "./discovery.js";
import type { ListMeta } from "./meta.js";
import type { PriorityClass } from "./scheduling.js";

export type * from "./apps.js";
export type * from "./batch.js";
export type * from "./coordination.js";
export type * from "./core.js";
export type * from "./discovery.js";
export type * from "./meta.js";
export type * from "./scheduling.js";

/** Every kind the simulator models. */
export type KubeObject =
  | Namespace
  | Node
  | Pod
  | Service
  | Event
  | Lease
  | ReplicaSet
  | Deployment
  | DaemonSet
  | Job
  | EndpointSlice
  | PriorityClass;

/** The `kind` strings of `KubeObject`. */
export type KubeKind = KubeObject["kind"];

/**
 * The generic `v1 List` that `kubectl get nodes,pods -A -o yaml` prints; items may mix kinds.
 * Typed lists (`PodList`, ...) are `TypedList<T>` in core.ts.
 */
export interface List<T = KubeObject> {
  apiVersion: "v1";
  kind: "List";
  metadata?: ListMeta;
  items: T[];
}
