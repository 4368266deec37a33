/** TaintToleration (plugins/tainttoleration/taint_toleration.go). */
import {
  countUntoleratedTaints,
  findUntoleratedTaint,
  isNoScheduleOrNoExecute,
  isPreferNoSchedule,
} from "../../api/taints.js";
import type { Toleration } from "../../api/types/core.js";
import type { PodInfo } from "../cache/pod-info.js";
import { type Status, SUCCESS } from "../framework/status.js";
import type { CycleContext, Plugin } from "../framework/types.js";
import { C_TAINT_TOLERATION, I_TAINTSET, INT_STRIDE, P_FBASE, P_SBASE, REASON_MASK } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";
import { defaultNormalize } from "./helpers.js";

function untoleratedFilter(pod: PodInfo, taints: readonly { key: string; value?: string; effect: string }[]): boolean {
  return findUntoleratedTaint(taints, pod.pod.spec.tolerations, isNoScheduleOrNoExecute) !== undefined;
}

export class TaintToleration implements Plugin {
  readonly name = "TaintToleration";
  readonly code = C_TAINT_TOLERATION;
  readonly events = [
    {
      event: "NodeAdd" as const,
      hint: (pod: PodInfo, e: ClusterEvent) =>
        e.kind === "NodeAdd" && !untoleratedFilter(pod, e.node.spec?.taints ?? [])
          ? ("Queue" as const)
          : ("QueueSkip" as const),
    },
    {
      event: "NodeUpdate" as const,
      // isSchedulableAfterNodeChange: the node's taints are now tolerated and were not before.
      hint: (pod: PodInfo, e: ClusterEvent) => {
        if (e.kind !== "NodeUpdate") return "QueueSkip" as const;
        const now = !untoleratedFilter(pod, e.node.spec?.taints ?? []);
        const before = !untoleratedFilter(pod, e.oldNode.spec?.taints ?? []);
        return now && !before ? ("Queue" as const) : ("QueueSkip" as const);
      },
    },
  ];

  compileFilter(cx: CycleContext): void {
    const sets = cx.cache.taintSets.sets;
    const tol = cx.pod.pod.spec.tolerations;
    const off = cx.prog.allocI(sets.length);
    for (let s = 0; s < sets.length; s++) {
      const taints = sets[s] ?? [];
      let r = 0;
      for (let i = 0; i < taints.length; i++) {
        const t = taints[i] as (typeof taints)[number];
        if (!isNoScheduleOrNoExecute(t)) continue;
        if (findUntoleratedTaint([t], tol) !== undefined) {
          r = i + 1;
          break;
        }
      }
      cx.prog.pi[off + s] = r;
    }
    const base = cx.prog.allocI(2);
    cx.prog.pi[base] = off;
    cx.prog.pi[base + 1] = sets.length;
    cx.prog.pi[P_FBASE + C_TAINT_TOLERATION] = base;
  }

  filterReasons(cx: CycleContext, slot: number, packed: number): string[] {
    const set = cx.table.ints[slot * INT_STRIDE + I_TAINTSET] as number;
    const taint = cx.cache.taintSets.sets[set]?.[packed & REASON_MASK];
    return [`node(s) had untolerated taint {${taint?.key ?? ""}: ${taint?.value ?? ""}}`];
  }

  /** PreScore keeps the tolerations with an empty or PreferNoSchedule effect. */
  preScore(cx: CycleContext): Status {
    const tol: Toleration[] = (cx.pod.pod.spec.tolerations ?? []).filter(
      (t) => (t.effect ?? "") === "" || t.effect === "PreferNoSchedule",
    );
    const sets = cx.cache.taintSets.sets;
    const off = cx.prog.allocI(sets.length);
    for (let s = 0; s < sets.length; s++)
      cx.prog.pi[off + s] = countUntoleratedTaints(sets[s], tol, isPreferNoSchedule);
    const base = cx.prog.allocI(2);
    cx.prog.pi[base] = off;
    cx.prog.pi[base + 1] = sets.length;
    cx.prog.pi[P_SBASE + C_TAINT_TOLERATION] = base;
    return SUCCESS;
  }

  normalize(_cx: CycleContext, scores: Float64Array, off: number, n: number): void {
    defaultNormalize(scores, off, n, true);
  }
}
