/**
 * Minimal shapes of the kinds the scheduler watches that src/api does not model yet (exact JSON
 * field names, so `kubectl get -o yaml` output reads directly).
 */
import type { PodTemplateSpec } from "../../api/types/core.js";
import type { KubeObjectBase, LabelSelector, StringMap } from "../../api/types/meta.js";

/** `appsv1.StatefulSet` (the fields default spreading reads). */
export interface StatefulSet extends KubeObjectBase<"StatefulSet"> {
  spec: { selector: LabelSelector; replicas?: number; template?: PodTemplateSpec; serviceName?: string };
}

/** `v1.ReplicationController`. */
export interface ReplicationController extends KubeObjectBase<"ReplicationController"> {
  spec: { selector?: StringMap; replicas?: number; template?: PodTemplateSpec };
}

/** `policyv1.PodDisruptionBudget` (what preemption reads: selector, disruptionsAllowed, disruptedPods). */
export interface PodDisruptionBudget extends KubeObjectBase<"PodDisruptionBudget"> {
  spec: { selector?: LabelSelector | null; minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };
}
