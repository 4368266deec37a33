/**
 * DefaultPreemption (plugins/defaultpreemption/default_preemption.go and
 * framework/preemption/preemption.go): PostFilter that finds lower-priority victims on nodes a
 * filter rejected as Unschedulable, picks a node and nominates the pod there.
 *
 * Deviations, both for determinism: the dry run visits candidate nodes one by one from the
 * random offset (upstream runs them in parallel and cancels once it has enough candidates), and
 * pickOneNodeForPreemption's final "first node" tie-break takes the candidate found first.
 */
import { compileLabelSelector } from "../../api/labels.js";
import type { Rng } from "../../engine/rng.js";
import type { NodeRecord, PodRecord } from "../cache/cache.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { DefaultPreemptionArgs } from "../config/types.js";
import { Diagnosis, fitErrorMessage } from "../framework/diagnosis.js";
import type { CycleEnv, Framework } from "../framework/framework.js";
import { Code, Status, unschedulable } from "../framework/status.js";
import type { CycleContext, Plugin } from "../framework/types.js";

export interface Candidate {
  node: NodeRecord;
  victims: PodRecord[];
  numPDBViolations: number;
}

export interface PostFilterResult {
  status: Status;
  /** Node to nominate ("" = clear the nomination); undefined leaves it as it is. */
  nominatedNode?: string;
  /** The chosen candidate: victims to delete. */
  candidate?: Candidate;
  /** Lower-priority pods nominated to the chosen node, whose nomination is cleared. */
  clearNominated: PodInfo[];
}

const TWO_31 = 2 ** 31;

export class DefaultPreemption implements Plugin {
  readonly name = "DefaultPreemption";
  readonly code = 0;

  constructor(private readonly args: DefaultPreemptionArgs) {}

  /** calculateNumCandidates. */
  numCandidates(numNodes: number): number {
    let n = Math.trunc((numNodes * this.args.minCandidateNodesPercentage) / 100);
    if (n < this.args.minCandidateNodesAbsolute) n = this.args.minCandidateNodesAbsolute;
    if (n > numNodes) n = numNodes;
    return n;
  }

  postFilter(fw: Framework, env: CycleEnv, cx: CycleContext, diag: Diagnosis): PostFilterResult {
    const res = this.preempt(fw, env, cx, diag);
    const msg = res.status.message;
    if (msg !== "") res.status = new Status(res.status.code, [`preemption: ${msg}`], this.name);
    return res;
  }

  private eligible(cx: CycleContext, diag: Diagnosis): string | undefined {
    const pod = cx.pod;
    if (pod.pod.spec.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
    const nom = cx.cache.nominatedNodeOf(pod.key) ?? pod.pod.status?.nominatedNodeName ?? "";
    if (nom !== "") {
      if (diag.codeOf(nom) === Code.UnschedulableAndUnresolvable) return undefined;
      const r = cx.cache.nodes.get(nom);
      if (r !== undefined) {
        for (const p of r.pods) {
          if (p.info.priority < pod.priority && (p.preempted || p.info.terminating)) {
            return "not eligible due to a terminating pod on the nominated node.";
          }
        }
      }
    }
    return undefined;
  }

  private preempt(fw: Framework, env: CycleEnv, cx: CycleContext, diag: Diagnosis): PostFilterResult {
    const notEligible = this.eligible(cx, diag);
    if (notEligible !== undefined) return { status: unschedulable(notEligible), clearNominated: [] };
    const all = cx.nodes;
    const potential = all.filter((r) => diag.codeOf(r.name) === Code.Unschedulable);
    const statuses = new Diagnosis();
    const candidates: Candidate[] = [];
    if (potential.length > 0) {
      const offset = env.preemptionRng.int(potential.length);
      const want = this.numCandidates(potential.length);
      const nonViolating: Candidate[] = [];
      const violating: Candidate[] = [];
      for (let i = 0; i < potential.length; i++) {
        const r = potential[(offset + i) % potential.length] as NodeRecord;
        cx.work.preemptionNodes++;
        const out = this.selectVictimsOnNode(fw, env, cx, r);
        if (out.status.isSuccess && out.victims.length > 0) {
          const c = { node: r, victims: out.victims, numPDBViolations: out.numViolating };
          if (out.numViolating === 0) {
            if (nonViolating.length < want) nonViolating.push(c);
          } else if (violating.length < want) violating.push(c);
          if (nonViolating.length > 0 && nonViolating.length + violating.length >= want) break;
          continue;
        }
        statuses.nodeToStatus.set(r.name, out.status);
      }
      candidates.push(...nonViolating, ...violating);
    }
    if (candidates.length === 0) {
      statuses.absent = new Status(Code.UnschedulableAndUnresolvable, ["Preemption is not helpful for scheduling"]);
      return { status: unschedulable(fitErrorMessage(all.length, statuses)), nominatedNode: "", clearNominated: [] };
    }
    const best = pickOneNodeForPreemption(candidates, env.now);
    const clearNominated = (cx.cache.nominated.get(best.node.name) ?? []).filter((p) => p.priority < cx.pod.priority);
    return { status: new Status(Code.Success), nominatedNode: best.node.name, candidate: best, clearNominated };
  }

  /** SelectVictimsOnNode: remove all lower-priority pods, then reprieve the most important ones that still fit. */
  selectVictimsOnNode(
    fw: Framework,
    env: CycleEnv,
    cx: CycleContext,
    r: NodeRecord,
  ): { victims: PodRecord[]; numViolating: number; status: Status } {
    const pod = cx.pod;
    const slot = r.slot;
    const potential = r.pods.filter((p) => p.info.priority < pod.priority);
    if (potential.length === 0) {
      return {
        victims: [],
        numViolating: 0,
        status: new Status(Code.UnschedulableAndUnresolvable, ["No preemption victims found for incoming pod"]),
      };
    }
    const snap = fw.snapshot(cx);
    const removed = new Set<PodRecord>();
    for (const p of potential) {
      fw.simulate(cx, p.info, slot, -1);
      removed.add(p);
    }
    const undo = () => {
      for (const p of potential) if (removed.has(p)) fw.simulate(cx, p.info, slot, 1);
      fw.restore(cx, snap);
    };
    const first = fw.filterWithNominated(cx, slot);
    if (first !== 0) {
      const s = fw.statusOf(cx, slot, first);
      undo();
      return { victims: [], numViolating: 0, status: s };
    }
    const sorted = sortByImportance(potential, env.now);
    const [violatingPods, nonViolatingPods] = filterPodsWithPDBViolation(sorted, cx);
    const victims: PodRecord[] = [];
    let numViolating = 0;
    const reprieve = (p: PodRecord): boolean => {
      fw.simulate(cx, p.info, slot, 1);
      removed.delete(p);
      const fits = fw.filterWithNominated(cx, slot) === 0;
      if (!fits) {
        fw.simulate(cx, p.info, slot, -1);
        removed.add(p);
        victims.push(p);
      }
      return fits;
    };
    for (const p of violatingPods) if (!reprieve(p)) numViolating++;
    for (const p of nonViolatingPods) reprieve(p);
    undo();
    const ordered =
      violatingPods.length > 0 && nonViolatingPods.length > 0 ? sortByImportance(victims, env.now) : victims;
    return { victims: ordered, numViolating, status: new Status(Code.Success) };
  }
}

/** GetPodStartTime: status.startTime, or now when unset. */
function startTime(p: PodRecord, now: number): number {
  return p.info.startTime ?? now;
}

/** util.MoreImportantPod order: higher priority, then earlier start time (stable otherwise). */
function sortByImportance(pods: readonly PodRecord[], now: number): PodRecord[] {
  return [...pods].sort((a, b) => {
    if (a.info.priority !== b.info.priority) return b.info.priority - a.info.priority;
    return startTime(a, now) - startTime(b, now);
  });
}

/** filterPodsWithPDBViolation: budgets are consumed in order; a pod that overdraws one violates. */
function filterPodsWithPDBViolation(pods: readonly PodRecord[], cx: CycleContext): [PodRecord[], PodRecord[]] {
  const pdbs = [...cx.cache.pdbs.values()];
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodRecord[] = [];
  const nonViolating: PodRecord[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.info.labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata.namespace ?? "default") !== p.info.namespace) return;
        let sel: ReturnType<typeof compileLabelSelector>;
        try {
          sel = compileLabelSelector(pdb.spec.selector ?? null);
        } catch {
          return;
        }
        if (sel.empty || !sel.matches(p.info.labels)) return;
        if (pdb.status?.disruptedPods?.[p.info.name] !== undefined) return;
        allowed[i] = (allowed[i] as number) - 1;
        if ((allowed[i] as number) < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return [violating, nonViolating];
}

/** GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
function earliestStartOfHighest(c: Candidate, now: number): number {
  let maxPrio = (c.victims[0] as PodRecord).info.priority;
  let earliest = startTime(c.victims[0] as PodRecord, now);
  for (const p of c.victims) {
    if (p.info.priority === maxPrio) {
      if (startTime(p, now) < earliest) earliest = startTime(p, now);
    } else if (p.info.priority > maxPrio) {
      maxPrio = p.info.priority;
      earliest = startTime(p, now);
    }
  }
  return earliest;
}

/** pickOneNodeForPreemption: ordered score functions, ties passed to the next one. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[], now: number): Candidate {
  const fns: ((c: Candidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -(c.victims[0] as PodRecord).info.priority,
    (c) => -c.victims.reduce((s, p) => s + p.info.priority + TWO_31, 0),
    (c) => -c.victims.length,
    (c) => earliestStartOfHighest(c, now),
  ];
  let all = [...candidates];
  for (const f of fns) {
    let max = Number.NEGATIVE_INFINITY;
    let selected: Candidate[] = [];
    for (const c of all) {
      const s = f(c);
      if (s > max) {
        max = s;
        selected = [];
      }
      if (s === max) selected.push(c);
    }
    if (selected.length === 1) return selected[0] as Candidate;
    all = selected;
  }
  return all[0] as Candidate;
}

/** The stream type preemption draws its offset from (kept explicit for callers). */
export type PreemptionRng = Rng;
