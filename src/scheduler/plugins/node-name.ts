/** NodeName (plugins/nodename/node_name.go): spec.nodeName must name the node. */
import type { PodInfo } from "../cache/pod-info.js";
import type { CycleContext, Plugin } from "../framework/types.js";
import { C_NODE_NAME, P_FBASE } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeName implements Plugin {
  readonly name = "NodeName";
  readonly code = C_NODE_NAME;
  readonly events = (["NodeAdd", "NodeUpdate"] as const).map((event) => ({
    event,
    hint: (pod: PodInfo, e: ClusterEvent) =>
      (e.kind === "NodeAdd" || e.kind === "NodeUpdate") && e.node.metadata.name === pod.pod.spec.nodeName
        ? ("Queue" as const)
        : ("QueueSkip" as const),
  }));

  /** True when the filter can reject anything for this pod (a pod without nodeName passes everywhere). */
  active(cx: CycleContext): boolean {
    const n = cx.pod.pod.spec.nodeName;
    return n !== undefined && n !== "";
  }

  compileFilter(cx: CycleContext): void {
    const off = cx.prog.allocI(1);
    const name = cx.pod.pod.spec.nodeName ?? "";
    cx.prog.pi[off] = cx.cache.nodes.get(name)?.slot ?? -2;
    cx.prog.pi[P_FBASE + C_NODE_NAME] = off;
  }

  filterReasons(): string[] {
    return [ERR_REASON_NODE_NAME];
  }
}
