/**
 * core/v1 kinds (k8s.io/api/core/v1/types.go): Namespace, Node, Pod, Service, Event.
 * Typed subsets with the exact JSON field names; optional where the API has them optional.
 */
import type {
  IntOrString,
  KubeObjectBase,
  LabelSelector,
  ListMeta,
  MicroTime,
  ObjectMeta,
  StringMap,
  Time,
} from "./meta.js";

/** Resource name → quantity string, e.g. `{cpu: "500m", memory: "128Mi"}`. */
export type ResourceList = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Namespace

/** `v1.NamespaceSpec`. */
export interface NamespaceSpec {
  finalizers?: string[];
}

/** `v1.NamespaceStatus`. */
export interface NamespaceStatus {
  phase?: "Active" | "Terminating";
}

/** `v1.Namespace` (cluster-scoped). */
export interface Namespace extends KubeObjectBase<"Namespace"> {
  spec?: NamespaceSpec;
  status?: NamespaceStatus;
}

// ---------------------------------------------------------------------------------------------
// Node

/** `v1.Taint`. Effects: NoSchedule, PreferNoSchedule, NoExecute. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: Time;
}

/** `v1.NodeSpec` subset. */
export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
}

/** `v1.NodeCondition`. */
export interface NodeCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastHeartbeatTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

/** `v1.NodeAddress`. Types: Hostname, InternalIP, ExternalIP, InternalDNS, ExternalDNS. */
export interface NodeAddress {
  type: string;
  address: string;
}

/** `v1.ContainerImage`: the names an image is known by on the node, and its size. */
export interface ContainerImage {
  names?: string[];
  sizeBytes?: number;
}

/** `v1.NodeSystemInfo` subset. */
export interface NodeSystemInfo {
  machineID?: string;
  systemUUID?: string;
  bootID?: string;
  kernelVersion?: string;
  osImage?: string;
  containerRuntimeVersion?: string;
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  operatingSystem?: string;
  architecture?: string;
}

/** `v1.NodeStatus` subset. */
export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  phase?: string;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  nodeInfo?: NodeSystemInfo;
  images?: ContainerImage[];
}

/** `v1.Node` (cluster-scoped). */
export interface Node extends KubeObjectBase<"Node"> {
  spec?: NodeSpec;
  status?: NodeStatus;
}

// ---------------------------------------------------------------------------------------------
// Pod

/** `v1.ResourceRequirements` subset. */
export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

/** `v1.ContainerPort`. Protocol defaults to TCP. */
export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

/** `v1.Container` subset. `restartPolicy: Always` on an init container makes it a sidecar. */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  restartPolicy?: string;
  imagePullPolicy?: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
}

/** `v1.NodeSelectorRequirement`. Operators: In, NotIn, Exists, DoesNotExist, Gt, Lt. */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** `v1.NodeSelectorTerm`: expressions and fields are ANDed; an empty term matches nothing. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** `v1.NodeSelector`: terms are ORed. */
export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

/** `v1.PreferredSchedulingTerm`. Weight 1–100. */
export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** `v1.NodeAffinity`. */
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

/** `v1.PodAffinityTerm`. */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

/** `v1.WeightedPodAffinityTerm`. */
export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

/** `v1.PodAffinity` / `v1.PodAntiAffinity` (same shape). */
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** `v1.Affinity`. */
export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

/** `v1.Toleration`. Operator Equal (default) or Exists; effect empty matches every effect. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** `v1.TopologySpreadConstraint`, every field. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway" | string;
  labelSelector?: LabelSelector | null;
  minDomains?: number;
  nodeAffinityPolicy?: "Honor" | "Ignore" | string;
  nodeTaintsPolicy?: "Honor" | "Ignore" | string;
  matchLabelKeys?: string[];
}

/** `v1.PodSchedulingGate`. */
export interface PodSchedulingGate {
  name: string;
}

/** `v1.PodSpec` subset. */
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: string;
  nodeSelector?: StringMap;
  serviceAccountName?: string;
  nodeName?: string;
  hostNetwork?: boolean;
  affinity?: Affinity;
  schedulerName?: string;
  tolerations?: Toleration[];
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
  overhead?: ResourceList;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  enableServiceLinks?: boolean;
  schedulingGates?: PodSchedulingGate[];
  securityContext?: Record<string, unknown>;
}

/** `v1.PodCondition`. Types: PodScheduled, Initialized, ContainersReady, Ready, ... */
export interface PodCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastProbeTime?: Time | null;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

/** `v1.PodIP`. */
export interface PodIP {
  ip: string;
}

/** `v1.ContainerState` subset. */
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Time };
  terminated?: { exitCode: number; reason?: string; startedAt?: Time; finishedAt?: Time };
}

/** `v1.ContainerStatus` subset. */
export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
  state?: ContainerState;
}

/** `v1.PodStatus` subset. Phases: Pending, Running, Succeeded, Failed, Unknown. */
export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  hostIP?: string;
  podIP?: string;
  podIPs?: PodIP[];
  startTime?: Time;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  qosClass?: string;
}

/** `v1.Pod`. */
export interface Pod extends KubeObjectBase<"Pod"> {
  spec: PodSpec;
  status?: PodStatus;
}

/** `v1.PodTemplateSpec` (the pod template inside workload controllers). */
export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

// ---------------------------------------------------------------------------------------------
// Service

/** `v1.ServicePort`. */
export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

/** `v1.ServiceSpec` subset. */
export interface ServiceSpec {
  type?: string;
  selector?: StringMap;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  sessionAffinity?: string;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  publishNotReadyAddresses?: boolean;
}

/** `v1.Service`. */
export interface Service extends KubeObjectBase<"Service"> {
  spec?: ServiceSpec;
  status?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Event (core/v1, the one `kubectl get events` lists and field selectors index)

/** `v1.ObjectReference`. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** `v1.EventSource`. */
export interface EventSource {
  component?: string;
  host?: string;
}

/** `v1.Event`. Types: Normal, Warning. */
export interface Event extends KubeObjectBase<"Event"> {
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: EventSource;
  firstTimestamp?: Time | null;
  lastTimestamp?: Time | null;
  count?: number;
  type?: string;
  eventTime?: MicroTime | null;
  action?: string;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** Any `...List` response (`PodList`, `NodeList`, ...). */
export interface TypedList<T> {
  apiVersion: string;
  kind: string;
  metadata?: ListMeta;
  items: T[];
}
