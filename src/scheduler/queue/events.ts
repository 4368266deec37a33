/**
 * Cluster events the scheduling queue reacts to (pkg/scheduler/framework/events.go), and the
 * queueing hints plugins return for them (QueueingHint: Queue / QueueSkip).
 */
import type { Node } from "../../api/types/core.js";
import type { PodInfo } from "../cache/pod-info.js";

/** What changed in a node update (events.go NodeSpecUnschedulableChange, NodeAllocatableChange, ...). */
export const NodeChange = {
  Allocatable: 1,
  Label: 2,
  Taint: 4,
  Condition: 8,
  Unschedulable: 16,
  Images: 32,
  Annotation: 64,
} as const;

export type ClusterEvent =
  | { kind: "NodeAdd"; node: Node }
  | { kind: "NodeUpdate"; oldNode: Node; node: Node; changes: number }
  | { kind: "NodeDelete"; node: Node }
  | { kind: "AssignedPodAdd"; pod: PodInfo }
  | { kind: "AssignedPodUpdate"; oldPod: PodInfo; pod: PodInfo }
  | { kind: "AssignedPodDelete"; pod: PodInfo }
  /** The unschedulable pod itself was updated. */
  | { kind: "UnscheduledPodUpdate"; oldPod: PodInfo; pod: PodInfo }
  /** Forced moves (leftover flush, binding errors): every pod moves. */
  | { kind: "UnschedulableTimeout" };

export type QueueingHint = "Queue" | "QueueSkip";

/** The changes between two versions of a node that matter to scheduling. */
export function nodeChanges(oldNode: Node, node: Node): number {
  let c = 0;
  const j = (x: unknown) => JSON.stringify(x ?? null);
  if (j(oldNode.status?.allocatable) !== j(node.status?.allocatable)) c |= NodeChange.Allocatable;
  if (j(oldNode.metadata.labels) !== j(node.metadata.labels)) c |= NodeChange.Label;
  if (j(oldNode.spec?.taints) !== j(node.spec?.taints)) c |= NodeChange.Taint;
  if ((oldNode.spec?.unschedulable ?? false) !== (node.spec?.unschedulable ?? false)) c |= NodeChange.Unschedulable;
  if (j(oldNode.status?.conditions) !== j(node.status?.conditions)) c |= NodeChange.Condition;
  if (j(oldNode.status?.images) !== j(node.status?.images)) c |= NodeChange.Images;
  if (j(oldNode.metadata.annotations) !== j(node.metadata.annotations)) c |= NodeChange.Annotation;
  return c;
}
