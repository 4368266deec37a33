/**
 * The in-tree plugins kubesim knows, with the extension points each implements. Facts from
 * pkg/scheduler/framework/plugins/* (which interfaces each plugin type satisfies) and the
 * default list in pkg/scheduler/apis/config/v1/default_plugins.go (v1.31+: the in-tree volume
 * limit plugins EBSLimits, GCEPDLimits, AzureDiskLimits were dropped from the defaults, and
 * validation.go rejects them in a v1 configuration).
 */

/** Extension points a profile configures, in the order `Plugins` lists them. */
export const EXTENSION_POINTS = [
  "preEnqueue",
  "queueSort",
  "preFilter",
  "filter",
  "postFilter",
  "preScore",
  "score",
  "reserve",
  "permit",
  "preBind",
  "bind",
  "postBind",
] as const;

export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

/** Upstream's Go interface name per point, used in framework error messages. */
export const POINT_INTERFACE: Record<ExtensionPoint, string> = {
  preEnqueue: "PreEnqueuePlugin",
  queueSort: "QueueSortPlugin",
  preFilter: "PreFilterPlugin",
  filter: "FilterPlugin",
  postFilter: "PostFilterPlugin",
  preScore: "PreScorePlugin",
  score: "ScorePlugin",
  reserve: "ReservePlugin",
  permit: "PermitPlugin",
  preBind: "PreBindPlugin",
  bind: "BindPlugin",
  postBind: "PostBindPlugin",
};

/** Plugin names (pkg/scheduler/framework/plugins/names/names.go). */
export const PluginName = {
  SchedulingGates: "SchedulingGates",
  PrioritySort: "PrioritySort",
  NodeUnschedulable: "NodeUnschedulable",
  NodeName: "NodeName",
  TaintToleration: "TaintToleration",
  NodeAffinity: "NodeAffinity",
  NodePorts: "NodePorts",
  NodeResourcesFit: "NodeResourcesFit",
  VolumeRestrictions: "VolumeRestrictions",
  NodeVolumeLimits: "NodeVolumeLimits",
  VolumeBinding: "VolumeBinding",
  VolumeZone: "VolumeZone",
  PodTopologySpread: "PodTopologySpread",
  InterPodAffinity: "InterPodAffinity",
  DefaultPreemption: "DefaultPreemption",
  NodeResourcesBalancedAllocation: "NodeResourcesBalancedAllocation",
  ImageLocality: "ImageLocality",
  DefaultBinder: "DefaultBinder",
} as const;

/** Which points each known plugin implements. */
export const PLUGIN_POINTS: Readonly<Record<string, readonly ExtensionPoint[]>> = {
  SchedulingGates: ["preEnqueue"],
  PrioritySort: ["queueSort"],
  NodeUnschedulable: ["filter"],
  NodeName: ["filter"],
  TaintToleration: ["filter", "preScore", "score"],
  NodeAffinity: ["preFilter", "filter", "preScore", "score"],
  NodePorts: ["preFilter", "filter"],
  NodeResourcesFit: ["preFilter", "filter", "preScore", "score"],
  VolumeRestrictions: ["preFilter", "filter"],
  NodeVolumeLimits: ["filter"],
  VolumeBinding: ["preFilter", "filter", "reserve", "preBind"],
  VolumeZone: ["preFilter", "filter"],
  PodTopologySpread: ["preFilter", "filter", "preScore", "score"],
  InterPodAffinity: ["preFilter", "filter", "preScore", "score"],
  DefaultPreemption: ["postFilter"],
  NodeResourcesBalancedAllocation: ["preScore", "score"],
  ImageLocality: ["score"],
  DefaultBinder: ["bind"],
};

/** Plugins removed from the v1 API; naming one is a validation error (validation.go). */
export const INVALID_V1_PLUGINS = ["AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits"];

/** Plugins that take `args` (their `<Name>Args` kinds). */
export const PLUGINS_WITH_ARGS = [
  "DefaultPreemption",
  "InterPodAffinity",
  "NodeAffinity",
  "NodeResourcesBalancedAllocation",
  "NodeResourcesFit",
  "PodTopologySpread",
  "VolumeBinding",
] as const;

/** The default profile's multiPoint list with weights (v1.31+ default_plugins.go, DRA off). */
export const DEFAULT_MULTI_POINT: readonly { name: string; weight?: number }[] = [
  { name: "SchedulingGates" },
  { name: "PrioritySort" },
  { name: "NodeUnschedulable" },
  { name: "NodeName" },
  { name: "TaintToleration", weight: 3 },
  { name: "NodeAffinity", weight: 2 },
  { name: "NodePorts" },
  { name: "NodeResourcesFit", weight: 1 },
  { name: "VolumeRestrictions" },
  { name: "NodeVolumeLimits" },
  { name: "VolumeBinding" },
  { name: "VolumeZone" },
  { name: "PodTopologySpread", weight: 2 },
  { name: "InterPodAffinity", weight: 2 },
  { name: "DefaultPreemption" },
  { name: "NodeResourcesBalancedAllocation", weight: 1 },
  { name: "ImageLocality", weight: 1 },
  { name: "DefaultBinder" },
];

/** `MaxNodeScore` and `MaxTotalScore` (math.MaxInt64) from the framework interface. */
export const MAX_NODE_SCORE = 100;
export const MAX_TOTAL_SCORE = 2 ** 63 - 1;
