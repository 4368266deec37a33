/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) after defaulting, in the shapes
 * of k8s.io/kube-scheduler/config/v1/types.go and types_pluginargs.go.
 */
import type { NodeAffinity, TopologySpreadConstraint } from "../../api/types/core.js";
import type { CostModel } from "../cost.js";
import type { ExtensionPoint } from "./registry.js";

export const API_VERSION = "kubescheduler.config.k8s.io/v1";
export const KIND = "KubeSchedulerConfiguration";

/** `v1.Plugin`: a name and, for score plugins, a weight (unset = undefined). */
export interface PluginRef {
  name: string;
  weight?: number;
}

/** `v1.PluginSet`. */
export interface PluginSet {
  enabled: PluginRef[];
  disabled: PluginRef[];
}

/** `v1.Plugins`: one set per extension point plus multiPoint. */
export type Plugins = Record<ExtensionPoint | "multiPoint", PluginSet>;

export type ScoringStrategyType = "LeastAllocated" | "MostAllocated" | "RequestedToCapacityRatio";

/** `v1.ResourceSpec`. */
export interface ResourceSpec {
  name: string;
  weight: number;
}

/** `v1.UtilizationShapePoint`: utilization 0–100, score 0–10. */
export interface UtilizationShapePoint {
  utilization: number;
  score: number;
}

export interface NodeResourcesFitArgs {
  ignoredResources: string[];
  ignoredResourceGroups: string[];
  scoringStrategy: {
    type: ScoringStrategyType;
    resources: ResourceSpec[];
    requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
  };
}

export interface NodeResourcesBalancedAllocationArgs {
  resources: ResourceSpec[];
}

export interface PodTopologySpreadArgs {
  defaultConstraints: TopologySpreadConstraint[];
  defaultingType: "System" | "List";
}

export interface InterPodAffinityArgs {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
}

export interface DefaultPreemptionArgs {
  minCandidateNodesPercentage: number;
  minCandidateNodesAbsolute: number;
}

export interface NodeAffinityArgs {
  addedAffinity?: NodeAffinity;
}

export interface VolumeBindingArgs {
  bindTimeoutSeconds: number;
}

/** Defaulted args of every plugin that has them. */
export interface PluginArgs {
  NodeResourcesFit: NodeResourcesFitArgs;
  NodeResourcesBalancedAllocation: NodeResourcesBalancedAllocationArgs;
  PodTopologySpread: PodTopologySpreadArgs;
  InterPodAffinity: InterPodAffinityArgs;
  DefaultPreemption: DefaultPreemptionArgs;
  NodeAffinity: NodeAffinityArgs;
  VolumeBinding: VolumeBindingArgs;
}

/** A profile after multiPoint expansion: plugin names per point in run order, score weights. */
export interface Profile {
  schedulerName: string;
  percentageOfNodesToScore: number | undefined;
  /** The merged (default + custom) plugin sets as configured. */
  plugins: Plugins;
  /** Plugin names per extension point, in the order the framework runs them. */
  points: Record<ExtensionPoint, string[]>;
  /** Score plugin weights (0 or unset → 1). */
  weights: Record<string, number>;
  args: PluginArgs;
}

/** kubesim-only settings (top-level `kubesim:` in the document; not part of the real API). */
export interface KubesimOptions {
  /**
   * Worker threads for Filter/Score: "auto" (use them when a scan is large enough), 0 (never),
   * or a count (always for scans of at least `parallelThresholdNodes`).
   */
  evaluatorThreads: "auto" | number;
  /** Node evaluations in one scan below which the main thread works alone. */
  parallelThresholdNodes: number;
  /**
   * The fused filter/score pass's implementation: "wasm" (WebAssembly, the default) or "js".
   * Both give identical results; "js" is there to compare them.
   */
  fusedKernel: "wasm" | "js";
  /** The cost model with overrides applied. */
  costModel: CostModel;
}

/** The whole configuration after defaulting and validation. */
export interface SchedulerConfig {
  parallelism: number;
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  clientConnection: { qps: number; burst: number };
  profiles: Profile[];
  kubesim: KubesimOptions;
}
