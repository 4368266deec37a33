/**
 * meta/v1 shapes shared by every kind (k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
 *
 * These are typed subsets of the real API objects with the exact JSON field names, so that
 * `kubectl get ... -o yaml` output can be read directly. Fields the API marks optional are
 * optional here. Timestamps stay RFC 3339 strings, as in the API; see `../time.ts` for the
 * mapping to the simulator's virtual microseconds.
 */

/** An RFC 3339 timestamp (`metav1.Time`, second precision in the API's JSON). */
export type Time = string;

/** An RFC 3339 timestamp with microseconds (`metav1.MicroTime`, e.g. Lease renewTime). */
export type MicroTime = string;

/** `intstr.IntOrString`: an integer or a string such as "25%". */
export type IntOrString = number | string;

/** A map of label or annotation keys to values. */
export type StringMap = Record<string, string>;

/** `metav1.OwnerReference`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metav1.ObjectMeta` (the fields the simulator uses; managedFields and selfLink left out). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  /** Opaque string in the API; kube-apiserver fills it with the etcd mod revision. */
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Time;
  deletionTimestamp?: Time;
  deletionGracePeriodSeconds?: number;
  labels?: StringMap;
  annotations?: StringMap;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** `metav1.ListMeta`. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** `metav1.LabelSelectorRequirement`. Operators: In, NotIn, Exists, DoesNotExist. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** `metav1.LabelSelector`. A null selector matches nothing, an empty one everything. */
export interface LabelSelector {
  matchLabels?: StringMap;
  matchExpressions?: LabelSelectorRequirement[];
}

/** `metav1.Condition` (used by newer APIs; core kinds have their own condition types). */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

/** What every top-level object has: `TypeMeta` plus `metadata`. */
export interface KubeObjectBase<K extends string = string> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
}
