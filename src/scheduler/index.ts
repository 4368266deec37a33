/** The kube-scheduler model: configuration, framework and plugins, queue, node table, explain. */
export type { SchedulerApi } from "./api.js";
export { SchedulerCache, zoneKey } from "./cache/cache.js";
export type { PodDisruptionBudget, ReplicationController, StatefulSet } from "./cache/objects.js";
export { AffinityTerm, PodInfo } from "./cache/pod-info.js";
export { defaultSchedulerConfig, parseSchedulerConfig, readSchedulerConfig } from "./config/parse.js";
export type { KubesimOptions, Profile, SchedulerConfig } from "./config/types.js";
export { buildCostModel, type CostModel, type CycleWork, cycleCost, DEFAULT_COSTS } from "./cost.js";
export { type ExplainCluster, type Explanation, explain, explainTable, type NodeExplanation } from "./explain.js";
export { fitErrorMessage } from "./framework/diagnosis.js";
export { type CycleEnv, type CycleResult, Framework, numFeasibleNodesToFind } from "./framework/framework.js";
export { Code, codeName, Status } from "./framework/status.js";
export { type Evaluator, SerialEvaluator } from "./nodetable/evaluator.js";
export { createEvaluator, ParallelEvaluator, type ParallelOptions } from "./nodetable/parallel.js";
export { NodeTable } from "./nodetable/table.js";
export { type ClusterEvent, NodeChange } from "./queue/events.js";
export { QueuedPod, SchedulingQueue } from "./queue/scheduling-queue.js";
export { type CycleEvent, Scheduler, type SchedulerOptions, type SchedulerStats } from "./scheduler.js";
