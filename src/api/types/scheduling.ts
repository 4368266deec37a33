/** scheduling.k8s.io/v1 kinds (k8s.io/api/scheduling/v1/types.go): PriorityClass. */
import type { KubeObjectBase } from "./meta.js";

/** `schedulingv1.PriorityClass` (cluster-scoped). */
export interface PriorityClass extends KubeObjectBase<"PriorityClass"> {
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never" | string;
}
