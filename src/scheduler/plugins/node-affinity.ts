/** NodeAffinity (plugins/nodeaffinity/node_affinity.go), with the scheduler-enforced addedAffinity arg. */
import { podMatchesNodeSelectorAndAffinityTerms, requiredNodeNames } from "../../api/node-affinity.js";
import type { NodeSelectorTerm, PreferredSchedulingTerm } from "../../api/types/core.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { NodeAffinityArgs } from "../config/types.js";
import { errorStatus, SKIP, type Status, SUCCESS, unresolvable } from "../framework/status.js";
import {
  type CycleContext,
  type Plugin,
  PREFILTER_SKIP,
  PREFILTER_SUCCESS,
  type PreFilterOutcome,
} from "../framework/types.js";
import { C_NODE_AFFINITY, P_FBASE, P_SBASE, REASON_MASK } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";
import { compilePreferred, compileSelectorSection, compileTerm, defaultNormalize, writePreferred } from "./helpers.js";

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

export class NodeAffinity implements Plugin {
  readonly name = "NodeAffinity";
  readonly code = C_NODE_AFFINITY;
  private readonly addedRequired: readonly NodeSelectorTerm[] | undefined;
  private readonly addedPreferred: readonly PreferredSchedulingTerm[];
  readonly events: Plugin["events"];

  constructor(args: NodeAffinityArgs) {
    this.addedRequired = args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    this.addedPreferred = args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    // isSchedulableAfterNodeChange: the node now matches (and did not before, for updates).
    const hint = (pod: PodInfo, e: ClusterEvent) => {
      if (e.kind !== "NodeAdd" && e.kind !== "NodeUpdate") return "QueueSkip" as const;
      if (!podMatchesNodeSelectorAndAffinityTerms(pod.pod, e.node)) return "QueueSkip" as const;
      if (e.kind === "NodeUpdate" && podMatchesNodeSelectorAndAffinityTerms(pod.pod, e.oldNode))
        return "QueueSkip" as const;
      return "Queue" as const;
    };
    this.events = [
      { event: "NodeAdd", hint },
      { event: "NodeUpdate", hint },
    ];
  }

  preFilter(cx: CycleContext): PreFilterOutcome {
    const spec = cx.pod.pod.spec;
    const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required === undefined && this.addedRequired === undefined && spec.nodeSelector === undefined) {
      return PREFILTER_SKIP;
    }
    const added = this.addedRequired === undefined ? -1 : compileSelectorSection(cx, undefined, this.addedRequired);
    const base = cx.prog.allocI(2);
    cx.prog.pi[base] = added;
    cx.prog.pi[base + 1] = cx.requiredAffinity;
    cx.prog.pi[P_FBASE + C_NODE_AFFINITY] = base;
    if (required === undefined || required.nodeSelectorTerms.length === 0) return PREFILTER_SUCCESS;
    const names = requiredNodeNames(cx.pod.pod);
    if (names === undefined) return PREFILTER_SUCCESS;
    if (names.length === 0) return { status: unresolvable(ERR_REASON_CONFLICT) };
    return { status: SUCCESS, nodeNames: new Set(names) };
  }

  filterReasons(_cx: CycleContext, _slot: number, packed: number): string[] {
    return [(packed & REASON_MASK) === 0 ? ERR_REASON_ENFORCED : ERR_REASON_POD];
  }

  wouldSkipPreScore(cx: CycleContext): boolean {
    const pref = cx.pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    return pref === undefined && this.addedPreferred.length === 0;
  }

  preScore(cx: CycleContext): Status {
    const pref = cx.pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (pref === undefined && this.addedPreferred.length === 0) return SKIP;
    // NewPreferredSchedulingTerms fails on an invalid term; the cycle then errors.
    for (const t of pref ?? []) {
      if (
        t.weight !== 0 &&
        (t.preference.matchExpressions?.length ?? 0) + (t.preference.matchFields?.length ?? 0) > 0
      ) {
        if (compileTerm(cx, t.preference) === undefined) return errorStatus(`invalid preferred scheduling term`);
      }
    }
    const compiled = [...compilePreferred(cx, this.addedPreferred), ...compilePreferred(cx, pref ?? [])];
    cx.prog.pi[P_SBASE + C_NODE_AFFINITY] = writePreferred(cx.prog, compiled);
    return SUCCESS;
  }

  normalize(_cx: CycleContext, scores: Float64Array, off: number, n: number): void {
    defaultNormalize(scores, off, n, false);
  }
}
