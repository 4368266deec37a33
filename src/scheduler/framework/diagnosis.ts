/** Diagnosis of a failed cycle and the FitError message (pkg/scheduler/framework/types.go). */
import { Code, Status } from "./status.js";

export class Diagnosis {
  /** Statuses of nodes that were evaluated and rejected, in scan order. */
  readonly nodeToStatus = new Map<string, Status>();
  /** Status of every node not in the map (PreFilter rejection or PreFilterResult restriction). */
  absent: Status | undefined;
  readonly unschedulablePlugins = new Set<string>();
  preFilterMsg = "";
  postFilterMsg = "";

  /** AddPluginStatus: rejecting plugins drive requeueing. */
  addPluginStatus(s: Status): void {
    if (s.plugin !== "" && s.isRejected) this.unschedulablePlugins.add(s.plugin);
  }

  /** The status of a node (explicit, absent, or undefined when it was never evaluated). */
  statusOf(name: string): Status | undefined {
    return this.nodeToStatus.get(name) ?? this.absent;
  }

  /** Code of a node's status for preemption (NodesForStatusCode). */
  codeOf(name: string): number {
    return this.statusOf(name)?.code ?? Code.Success;
  }
}

/**
 * FitError.Error(): "0/N nodes are available: <PreFilterMsg>. <reason histogram>. <PostFilterMsg>"
 * where the histogram is "<count> <reason>" sorted as strings and joined by ", ".
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg !== "") {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const reasons = new Map<string, number>();
    for (const s of d.nodeToStatus.values()) for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const explicit = d.nodeToStatus.size;
    if (d.absent !== undefined && explicit < numAllNodes) {
      for (const r of d.absent.reasons) reasons.set(r, (reasons.get(r) ?? 0) + numAllNodes - explicit);
    }
    const hist = [...reasons].map(([r, n]) => `${n} ${r}`).sort(compareGoStrings);
    if (hist.length > 0) msg += ` ${hist.join(", ")}.`;
  }
  if (d.postFilterMsg !== "") msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings order: bytewise on UTF-8 (code units suffice for these ASCII messages). */
export function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function statusFromReasons(code: number, reasons: string[], plugin: string): Status {
  return new Status(code as Status["code"], reasons, plugin);
}
