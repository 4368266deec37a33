/** SchedulingGates (plugins/schedulinggates/scheduling_gates.go): PreEnqueue keeps gated pods out. */
import type { PodInfo } from "../cache/pod-info.js";
import { type Status, unresolvable } from "../framework/status.js";
import type { Plugin } from "../framework/types.js";

export class SchedulingGates implements Plugin {
  readonly name = "SchedulingGates";
  readonly code = 0;
  readonly events = [
    {
      event: "UnscheduledPodUpdate" as const,
      // isSchedulableAfterUpdatePodSchedulingGatesEliminated: the pod itself lost its gates.
      hint: (pod: PodInfo) =>
        (pod.pod.spec.schedulingGates ?? []).length === 0 ? ("Queue" as const) : ("QueueSkip" as const),
    },
  ];

  preEnqueue(pod: PodInfo): Status | undefined {
    const gates = pod.pod.spec.schedulingGates ?? [];
    if (gates.length === 0) return undefined;
    // fmt.Sprintf("waiting for scheduling gates: %v", gateNames) prints a Go slice: [a b].
    return unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(" ")}]`);
  }
}
