/** NodePorts (plugins/nodeports/node_ports.go): wanted host ports must be free on the node. */
import type { NodeRecord } from "../cache/cache.js";
import type { HostPort, PodInfo } from "../cache/pod-info.js";
import {
  type CycleContext,
  type Plugin,
  PREFILTER_SKIP,
  PREFILTER_SUCCESS,
  type PreFilterOutcome,
} from "../framework/types.js";
import { C_NODE_PORTS, I_PORT_STAMP, P_FBASE } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

/** HostPortInfo.CheckConflict: same protocol and port, and same IP or either side 0.0.0.0. */
export function portConflicts(
  used: ReadonlyMap<string, ReadonlyMap<string, number>>,
  wanted: readonly HostPort[],
): boolean {
  for (const w of wanted) {
    const byIp = used.get(`${w.protocol}/${w.port}`);
    if (byIp === undefined) continue;
    if (w.ip === "0.0.0.0" || byIp.has("0.0.0.0") || byIp.has(w.ip)) return true;
  }
  return false;
}

export class NodePorts implements Plugin {
  readonly name = "NodePorts";
  readonly code = C_NODE_PORTS;
  readonly events = [
    {
      event: "AssignedPodDelete" as const,
      // isSchedulableAfterPodDeleted: the deleted pod used a port this pod wants.
      hint: (pod: PodInfo, e: ClusterEvent) => {
        if (e.kind !== "AssignedPodDelete") return "QueueSkip" as const;
        const used = new Map<string, Map<string, number>>();
        for (const hp of e.pod.hostPorts) used.set(`${hp.protocol}/${hp.port}`, new Map([[hp.ip, 1]]));
        return portConflicts(used, pod.hostPorts) ? ("Queue" as const) : ("QueueSkip" as const);
      },
    },
    { event: "NodeAdd" as const },
    { event: "NodeUpdate" as const },
  ];

  preFilter(cx: CycleContext): PreFilterOutcome {
    const wanted = cx.pod.hostPorts;
    if (wanted.length === 0) return PREFILTER_SKIP;
    const off = cx.prog.allocI(1);
    cx.prog.pi[off] = cx.stamp;
    cx.prog.pi[P_FBASE + C_NODE_PORTS] = off;
    const t = cx.table;
    for (const w of wanted) {
      const idx = cx.cache.portIndex.get(`${w.protocol}/${w.port}`);
      if (idx === undefined) continue;
      for (const [slot, byIp] of idx) {
        if (w.ip === "0.0.0.0" || byIp.has("0.0.0.0") || byIp.has(w.ip)) t.setInt(slot, I_PORT_STAMP, cx.stamp);
      }
    }
    return PREFILTER_SUCCESS;
  }

  filterReasons(): string[] {
    return [ERR_REASON_PORTS];
  }

  private restamp(cx: CycleContext, slot: number): void {
    const r = cx.cache.bySlot[slot] as NodeRecord;
    const conflict = portConflicts(r.usedPorts, cx.pod.hostPorts);
    const t = cx.table;
    if (conflict) t.setInt(slot, I_PORT_STAMP, cx.stamp);
    else if (t.getInt(slot, I_PORT_STAMP) === cx.stamp) t.setInt(slot, I_PORT_STAMP, 0);
  }

  addPod(cx: CycleContext, _pod: PodInfo, slot: number): void {
    this.restamp(cx, slot);
  }

  removePod(cx: CycleContext, _pod: PodInfo, slot: number): void {
    this.restamp(cx, slot);
  }
}
