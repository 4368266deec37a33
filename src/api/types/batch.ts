/** batch/v1 kinds (k8s.io/api/batch/v1/types.go): Job. */
import type { PodTemplateSpec } from "./core.js";
import type { KubeObjectBase, LabelSelector, Time } from "./meta.js";

/** `batchv1.JobSpec` subset. */
export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  completionMode?: "NonIndexed" | "Indexed" | string;
  suspend?: boolean;
}

/** `batchv1.JobCondition`. */
export interface JobCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastProbeTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

/** `batchv1.JobStatus` subset. */
export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: Time;
  completionTime?: Time;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
}

/** `batchv1.Job`. */
export interface Job extends KubeObjectBase<"Job"> {
  spec: JobSpec;
  status?: JobStatus;
}
