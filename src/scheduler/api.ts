/**
 * What the scheduler needs from the API server. The model is being built elsewhere; until then
 * tests use a fake with virtual-time delays. Every call completes asynchronously through `done`
 * (possibly much later: the real client is rate limited to QPS 50 / burst 100), with an error
 * string when it failed.
 */
import type { Pod } from "../api/types/core.js";

export interface SchedulerApi {
  /** POST pods/binding: sets spec.nodeName. */
  bind(pod: Pod, nodeName: string, done: (error?: string) => void): void;
  /** DELETE a pod (preemption victims). */
  deletePod(pod: Pod, done: (error?: string) => void): void;
  /** PATCH status.nominatedNodeName (undefined clears it). */
  setNominatedNode(pod: Pod, nodeName: string | undefined, done: (error?: string) => void): void;
  /** PATCH the PodScheduled=False condition after a failed attempt (optional). */
  setUnschedulable?(pod: Pod, reason: string, message: string, done: (error?: string) => void): void;
}
