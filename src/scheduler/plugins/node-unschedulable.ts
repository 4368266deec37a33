/** NodeUnschedulable (plugins/nodeunschedulable/node_unschedulable.go). */
import { TAINT_EFFECT_NO_SCHEDULE, TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from "../../api/taints.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { CycleContext, Plugin } from "../framework/types.js";
import { C_NODE_UNSCHEDULABLE, P_FBASE } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";

export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

function tolerates(pod: PodInfo): boolean {
  return tolerationsTolerateTaint(pod.pod.spec.tolerations, {
    key: TAINT_NODE_UNSCHEDULABLE,
    effect: TAINT_EFFECT_NO_SCHEDULE,
  });
}

export class NodeUnschedulable implements Plugin {
  readonly name = "NodeUnschedulable";
  readonly code = C_NODE_UNSCHEDULABLE;
  readonly events = [
    {
      event: "NodeAdd" as const,
      hint: (pod: PodInfo, e: ClusterEvent) =>
        e.kind === "NodeAdd" && (e.node.spec?.unschedulable !== true || tolerates(pod))
          ? ("Queue" as const)
          : ("QueueSkip" as const),
    },
    {
      event: "NodeUpdate" as const,
      // isSchedulableAfterNodeChange: the node became schedulable (or the pod tolerates it).
      hint: (pod: PodInfo, e: ClusterEvent) => {
        if (e.kind !== "NodeUpdate") return "QueueSkip" as const;
        const now = e.node.spec?.unschedulable !== true || tolerates(pod);
        const before = e.oldNode.spec?.unschedulable !== true || tolerates(pod);
        return now && !before ? ("Queue" as const) : ("QueueSkip" as const);
      },
    },
  ];

  compileFilter(cx: CycleContext): void {
    const off = cx.prog.allocI(1);
    cx.prog.pi[off] = tolerates(cx.pod) ? 1 : 0;
    cx.prog.pi[P_FBASE + C_NODE_UNSCHEDULABLE] = off;
  }

  filterReasons(): string[] {
    return [ERR_REASON_UNSCHEDULABLE];
  }
}
