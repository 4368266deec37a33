/** apps/v1 kinds (k8s.io/api/apps/v1/types.go): ReplicaSet, Deployment, DaemonSet. */
import type { PodTemplateSpec } from "./core.js";
import type { IntOrString, KubeObjectBase, LabelSelector, Time } from "./meta.js";

/** `appsv1.ReplicaSetSpec`. */
export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template?: PodTemplateSpec;
}

/** `appsv1.ReplicaSetStatus`. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

/** `appsv1.ReplicaSet`. */
export interface ReplicaSet extends KubeObjectBase<"ReplicaSet"> {
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

/** `appsv1.RollingUpdateDeployment`: counts or percentages such as "25%". */
export interface RollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

/** `appsv1.DeploymentStrategy`. Types: RollingUpdate (default), Recreate. */
export interface DeploymentStrategy {
  type?: string;
  rollingUpdate?: RollingUpdateDeployment;
}

/** `appsv1.DeploymentSpec`. */
export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

/** `appsv1.DeploymentCondition`. */
export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

/** `appsv1.DeploymentStatus`. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

/** `appsv1.Deployment`. */
export interface Deployment extends KubeObjectBase<"Deployment"> {
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

/** `appsv1.RollingUpdateDaemonSet`. */
export interface RollingUpdateDaemonSet {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

/** `appsv1.DaemonSetUpdateStrategy`. Types: RollingUpdate (default), OnDelete. */
export interface DaemonSetUpdateStrategy {
  type?: string;
  rollingUpdate?: RollingUpdateDaemonSet;
}

/** `appsv1.DaemonSetSpec`. */
export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplateSpec;
  updateStrategy?: DaemonSetUpdateStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

/** `appsv1.DaemonSetStatus`. */
export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
}

/** `appsv1.DaemonSet`. */
export interface DaemonSet extends KubeObjectBase<"DaemonSet"> {
  spec: DaemonSetSpec;
  status?: DaemonSetStatus;
}
