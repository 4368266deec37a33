/**
 * One profile's framework: its plugins per extension point and the scheduling algorithm
 * (pkg/scheduler/schedule_one.go schedulePod / findNodesThatFitPod / findNodesThatPassFilters /
 * numFeasibleNodesToFind / prioritizeNodes / selectHost, and framework/runtime/framework.go
 * RunPreFilterPlugins / RunFilterPluginsWithNominatedPods / RunPreScorePlugins /
 * RunScorePlugins).
 */
import type { Rng } from "../../engine/rng.js";
import type { NodeRecord, SchedulerCache } from "../cache/cache.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { Profile } from "../config/types.js";
import { type CycleWork, emptyWork } from "../cost.js";
import type { ScanBuffers } from "../nodetable/buffers.js";
import type { Evaluator } from "../nodetable/evaluator.js";
import { filterNode, fusedBasic, fusedEligible, scanStats, selReset } from "../nodetable/kernel.js";
import {
  C_BALANCED,
  C_FIT,
  C_IMAGE_LOCALITY,
  C_NODE_NAME,
  C_TAINT_TOLERATION,
  CODE_SHIFT,
  DEFERRED,
  FAIL_PENDING,
  P_FILTER,
  P_NFILTER,
  P_NSCORE,
  P_PRIORITY,
  P_SCORE,
  SEL_BEST,
  SEL_COUNT,
  SEL_FEASIBLE,
  SEL_FINAL,
  SEL_LEVELS,
  SEL_MAX_FINAL,
  SEL_MAX_TAINT,
  SEL_NLEVELS,
  SEL_OVERFLOW,
  SEL_REGION,
  STATUS_SHIFT,
} from "../nodetable/layout.js";
import type { Program } from "../nodetable/program.js";
import type { DefaultBinder } from "../plugins/default-binder.js";
import type { DefaultPreemption, PostFilterResult } from "../plugins/default-preemption.js";
import { compileSelectorSection, defaultNormalize } from "../plugins/helpers.js";
import type { NodeName } from "../plugins/node-name.js";
import type { PrioritySort } from "../plugins/priority-sort.js";
import { createPlugins } from "../plugins/registry.js";
import { Diagnosis, fitErrorMessage } from "./diagnosis.js";
import { Code, Status, SUCCESS, unresolvable } from "./status.js";
import { CycleContext, type Plugin, PREFILTER_SUCCESS } from "./types.js";

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const NO_SLOTS = new Int32Array(0);
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** numFeasibleNodesToFind (schedule_one.go). */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** State the scheduler shares with every profile's cycles. */
export interface CycleEnv {
  cache: SchedulerCache;
  prog: Program;
  buffers: ScanBuffers;
  evaluator: Evaluator;
  /** selectHost's tie-breaking stream. */
  hostRng: Rng;
  /** DefaultPreemption's candidate-offset stream. */
  preemptionRng: Rng;
  /** The global percentageOfNodesToScore. */
  percentageOfNodesToScore: number;
  /** Current virtual time (µs), for preemption's pod start times. */
  now: number;
  /** Round-robin start of the next scan (sched.nextStartNodeIndex). */
  nextStartNodeIndex: number;
  stamp: number;
}

export interface ScoredNode {
  slot: number;
  name: string;
  total: number;
}

/** The outcome of one scheduling cycle. */
export interface CycleResult {
  /** Chosen node, when the cycle succeeded. */
  node?: string;
  /** Non-success status (Unschedulable / UnschedulableAndUnresolvable with the FitError message, or Error). */
  status: Status;
  diagnosis?: Diagnosis;
  /** From PostFilter: nominate this node ("" clears the nomination); undefined leaves it. */
  nominatedNode?: string;
  postFilter?: PostFilterResult;
  evaluatedNodes: number;
  feasibleNodes: number;
  work: CycleWork;
  /** Kept for explain: the context, feasible slots and the per-plugin scores. */
  trace?: CycleTrace;
}

export interface CycleTrace {
  cx: CycleContext;
  feasible: number[];
  /** Positions evaluated in scan order, with their packed results. */
  visited: { slot: number; packed: number }[];
  scorePlugins: string[];
  raw: number[][];
  normalized: number[][];
  totals: number[];
  selectedIndex: number;
  preFilterStatuses: { plugin: string; status: Status; nodeNames?: string[] }[];
  preScoreStatuses: { plugin: string; status: Status }[];
  nominatedNodeTried?: string;
}

export class Framework {
  readonly profile: Profile;
  readonly plugins: ReadonlyMap<string, Plugin>;
  readonly preEnqueuePlugins: Plugin[];
  readonly queueSort: PrioritySort;
  readonly preFilterPlugins: Plugin[];
  readonly filterPlugins: Plugin[];
  readonly postFilterPlugins: DefaultPreemption[];
  readonly preScorePlugins: Plugin[];
  readonly scorePlugins: Plugin[];
  readonly bindPlugins: DefaultBinder[];
  private readonly byCode = new Map<number, Plugin>();

  constructor(profile: Profile, cache: SchedulerCache) {
    this.profile = profile;
    this.plugins = createPlugins(profile, cache);
    const get = (names: readonly string[]) => names.map((n) => this.plugins.get(n) as Plugin);
    this.preEnqueuePlugins = get(profile.points.preEnqueue);
    this.queueSort = get(profile.points.queueSort)[0] as unknown as PrioritySort;
    this.preFilterPlugins = get(profile.points.preFilter);
    this.filterPlugins = get(profile.points.filter);
    this.postFilterPlugins = get(profile.points.postFilter) as unknown as DefaultPreemption[];
    this.preScorePlugins = get(profile.points.preScore);
    this.scorePlugins = get(profile.points.score);
    this.bindPlugins = get(profile.points.bind) as unknown as DefaultBinder[];
    for (const p of this.plugins.values()) if (p.code !== 0) this.byCode.set(p.code, p);
  }

  pluginByCode(code: number): Plugin | undefined {
    return this.byCode.get(code);
  }

  /** RunPreEnqueuePlugins: the first rejecting status, or undefined. */
  runPreEnqueue(pod: PodInfo): Status | undefined {
    for (const p of this.preEnqueuePlugins) {
      const s = p.preEnqueue?.(pod);
      if (s !== undefined && !s.isSuccess) return s.withPlugin(p.name);
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Per-node evaluation shared by the scan, nominated pods, preemption and explain

  /** Reason strings of a packed filter result, with the plugin that produced it. */
  statusOf(cx: CycleContext, slot: number, packed: number): Status {
    const code = packed >>> CODE_SHIFT;
    const st = (packed >>> STATUS_SHIFT) & 7;
    const p = this.byCode.get(code);
    const reasons = p?.filterReasons?.(cx, slot, packed) ?? [];
    return new Status(st as Status["code"], reasons, p?.name ?? "");
  }

  /** Adds (+1) or removes (−1) a pod on a node for a what-if evaluation (NodeInfo + PreFilterExtensions). */
  simulate(cx: CycleContext, pod: PodInfo, slot: number, delta: number): void {
    const r = cx.cache.bySlot[slot] as NodeRecord;
    cx.cache.account(pod, r, delta);
    for (const p of this.preFilterPlugins) {
      if (cx.skipFilter.has(p.name)) continue;
      if (delta > 0) p.addPod?.(cx, pod, slot);
      else p.removePod?.(cx, pod, slot);
    }
  }

  /** Saves the program and plugin states (upstream clones CycleState for what-if passes). */
  snapshot(cx: CycleContext): { prog: ReturnType<Program["save"]>; state: Map<string, unknown> } {
    const state = new Map<string, unknown>();
    for (const [k, v] of cx.state) state.set(k, cloneState(v));
    return { prog: cx.prog.save(), state };
  }

  restore(cx: CycleContext, s: { prog: ReturnType<Program["save"]>; state: Map<string, unknown> }): void {
    cx.prog.restore(s.prog);
    cx.state.clear();
    for (const [k, v] of s.state) cx.state.set(k, cloneState(v));
  }

  /**
   * RunFilterPluginsWithNominatedPods: with nominated pods of equal or higher priority added
   * first, then (if that passed) without them; both must pass.
   */
  filterWithNominated(cx: CycleContext, slot: number): number {
    const r = cx.cache.bySlot[slot] as NodeRecord;
    const nominated = (cx.cache.nominated.get(r.name) ?? []).filter(
      (p) => p.priority >= cx.pod.priority && p.key !== cx.pod.key,
    );
    if (nominated.length === 0) return filterNode(cx.table, cx.prog, slot);
    const snap = this.snapshot(cx);
    for (const p of nominated) this.simulate(cx, p, slot, 1);
    const first = filterNode(cx.table, cx.prog, slot);
    for (let i = nominated.length - 1; i >= 0; i--) this.simulate(cx, nominated[i] as PodInfo, slot, -1);
    this.restore(cx, snap);
    if (first !== 0) return first;
    return filterNode(cx.table, cx.prog, slot);
  }

  // -------------------------------------------------------------------------------------------
  // The scheduling cycle

  /** Builds a cycle context: program reset, required node affinity compiled. */
  newContext(env: CycleEnv, pod: PodInfo, nodes: readonly NodeRecord[]): CycleContext {
    env.prog.reset();
    env.stamp++;
    const cx = new CycleContext(pod, env.cache, env.prog, this.profile, nodes, env.stamp, emptyWork());
    env.prog.pi[P_PRIORITY] = pod.priority;
    const spec = pod.pod.spec;
    const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (spec.nodeSelector !== undefined || required !== undefined) {
      cx.requiredAffinity = compileSelectorSection(cx, spec.nodeSelector, required?.nodeSelectorTerms);
    }
    return cx;
  }

  /** RunPreFilterPlugins; returns the merged node-name restriction or a rejecting status. */
  runPreFilter(
    cx: CycleContext,
    trace?: CycleTrace,
  ): { status: Status | undefined; nodeNames: Set<string> | undefined; withNodes: string[] } {
    let names: Set<string> | undefined;
    let returnStatus: Status | undefined;
    const withNodes: string[] = [];
    for (const p of this.preFilterPlugins) {
      const out = p.preFilter?.(cx) ?? PREFILTER_SUCCESS;
      trace?.preFilterStatuses.push({
        plugin: p.name,
        status: out.status,
        ...(out.nodeNames === undefined ? {} : { nodeNames: [...out.nodeNames].sort() }),
      });
      if (out.status.isSkip) {
        cx.skipFilter.add(p.name);
        continue;
      }
      if (!out.status.isSuccess) {
        out.status.plugin = p.name; // rejecting statuses are fresh objects
        if (out.status.code === Code.UnschedulableAndUnresolvable)
          return { status: out.status, nodeNames: undefined, withNodes };
        if (out.status.code === Code.Unschedulable) {
          returnStatus = out.status;
          continue;
        }
        return {
          status: new Status(Code.Error, [`running PreFilter plugin "${p.name}": ${out.status.message}`], p.name),
          nodeNames: undefined,
          withNodes,
        };
      }
      if (out.nodeNames !== undefined) {
        withNodes.push(p.name);
        names = names === undefined ? new Set(out.nodeNames) : new Set([...names].filter((n) => out.nodeNames?.has(n)));
        if (names.size === 0) {
          const sorted = [...withNodes].sort();
          const msg =
            sorted.length === 1
              ? `node(s) didn't satisfy plugin ${sorted[0]}`
              : `node(s) didn't satisfy plugin(s) [${sorted.join(" ")}]`;
          return { status: unresolvable(msg), nodeNames: names, withNodes };
        }
      }
    }
    return { status: returnStatus, nodeNames: names, withNodes };
  }

  /** The active filter plugin codes for this pod, after PreFilter (sections compiled). */
  private activateFilters(cx: CycleContext): string[] {
    const pi = cx.prog.pi;
    let n = 0;
    const names: string[] = [];
    for (const p of this.filterPlugins) {
      if (cx.skipFilter.has(p.name)) continue;
      names.push(p.name);
      if (p.code === 0) continue;
      if (p.code === C_NODE_NAME && !(p as NodeName).active(cx)) continue;
      if (p.code >= 11) continue; // volume plugins never reject
      p.compileFilter?.(cx);
      pi[P_FILTER + n++] = p.code;
    }
    pi[P_NFILTER] = n;
    return names;
  }

  /** schedulePod: the whole algorithm for one pod; binds nothing (the scheduler assumes/binds). */
  schedulePod(env: CycleEnv, pod: PodInfo, trace = false): CycleResult {
    const cache = env.cache;
    const nodes = cache.nodeList();
    const work = emptyWork();
    if (nodes.length === 0) {
      const status = unresolvable("no nodes available to schedule pods");
      return { status, nominatedNode: "", evaluatedNodes: 0, feasibleNodes: 0, work };
    }
    const cx = this.newContext(env, pod, nodes);
    const tr: CycleTrace | undefined = trace
      ? {
          cx,
          feasible: [],
          visited: [],
          scorePlugins: [],
          raw: [],
          normalized: [],
          totals: [],
          selectedIndex: -1,
          preFilterStatuses: [],
          preScoreStatuses: [],
        }
      : undefined;
    const result = this.findAndScore(env, cx, nodes, tr);
    if (tr !== undefined) result.trace = tr;
    return result;
  }

  private findAndScore(
    env: CycleEnv,
    cx: CycleContext,
    nodes: readonly NodeRecord[],
    tr: CycleTrace | undefined,
  ): CycleResult {
    const work = cx.work;
    const diag = new Diagnosis();
    const pre = this.runPreFilter(cx, tr);
    const fail = (status: Status, evaluated: number): CycleResult => {
      const res: CycleResult = { status, diagnosis: diag, evaluatedNodes: evaluated, feasibleNodes: 0, work };
      return this.postFilter(env, cx, res, nodes.length);
    };
    if (pre.status !== undefined) {
      if (!pre.status.isRejected)
        return { status: pre.status, evaluatedNodes: 0, feasibleNodes: 0, work, nominatedNode: "" };
      diag.absent = pre.status;
      diag.preFilterMsg = pre.status.message;
      diag.addPluginStatus(pre.status);
      if (pre.nodeNames !== undefined && pre.nodeNames.size === 0) {
        for (const n of pre.withNodes) diag.unschedulablePlugins.add(n);
      }
      return fail(new Status(pre.status.code, [fitErrorMessage(nodes.length, diag)]), 0);
    }
    const filterNames = this.activateFilters(cx);
    work.activeFilters = filterNames;

    // The nominated node (set by an earlier preemption) is tried first.
    const nominated = cx.cache.nominatedNodeOf(cx.pod.key) ?? cx.pod.pod.status?.nominatedNodeName;
    if (nominated !== undefined && nominated !== "") {
      const r = cx.cache.nodes.get(nominated);
      if (tr !== undefined) tr.nominatedNodeTried = nominated;
      if (r !== undefined) {
        const packed = this.filterWithNominated(cx, r.slot);
        work.nodesFiltered += 1;
        tr?.visited.push({ slot: r.slot, packed });
        if (packed === 0) {
          tr?.feasible.push(r.slot);
          return { node: r.name, status: SUCCESS, evaluatedNodes: 1, feasibleNodes: 1, work };
        }
        const s = this.statusOf(cx, r.slot, packed);
        diag.nodeToStatus.set(r.name, s);
        diag.addPluginStatus(s);
      }
    }

    // The node list: all nodes in scan order, or the PreFilterResult's nodes (in scan order).
    const buf = env.buffers;
    buf.ensure(nodes.length, Math.max(8, this.scorePlugins.length));
    let listed = false;
    let len = nodes.length;
    if (pre.nodeNames !== undefined) {
      listed = true;
      len = 0;
      for (const r of nodes) if (pre.nodeNames.has(r.name)) buf.scanList[len++] = r.slot;
      diag.absent = unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.withNodes].sort().join(" ")}]`);
    }
    const pct = this.profile.percentageOfNodesToScore ?? env.percentageOfNodesToScore;
    let need = numFeasibleNodesToFind(pct, len);
    if (this.scorePlugins.length === 0) need = 1;
    const start = len === 0 ? 0 : env.nextStartNodeIndex % len;
    const feasible = buf.feasible;
    let nFeasible = 0;
    let pos = 0;
    let processed = 0;
    const out = buf.filterOut;
    // The fused path: PreScore for these plugins does not depend on the feasible set, so it
    // can run first and the scores come out of the filter pass (same results, one pass).
    const weights = tr === undefined && !listed && cx.cache.nominated.size === 0 ? this.earlyPreScore(cx) : undefined;
    // How selectHost can be replayed from the fused pass's selection summaries: 0 = not at
    // all (general path), −1 = the serial pass's region 0 (feasible indices), k > 0 = the k
    // shard regions of a sharded pass (scan positions).
    let summary = 0;
    if (weights !== undefined) {
      const totals = buf.totals(len);
      const taintRaw = buf.scores;
      const wOff = cx.prog.allocF(4);
      cx.prog.pf.set(weights, wOff);
      const regions =
        need >= len ? (env.evaluator.fusedScan?.(cx.table, cx.prog, buf, start, len, 0, len, wOff) ?? 0) : 0;
      if (regions > 0) {
        processed = len;
        pos = len;
        const sel = buf.sel;
        let n = 0;
        let maxTaint = 0;
        let over = 0;
        for (let r = 0; r < regions; r++) {
          const b = r * SEL_REGION;
          n += sel[b + SEL_FEASIBLE] as number;
          if ((sel[b + SEL_MAX_TAINT] as number) > maxTaint) maxTaint = sel[b + SEL_MAX_TAINT] as number;
          over |= sel[b + SEL_OVERFLOW] as number;
        }
        if (n >= 2 && over === 0 && (weights[2] === 0 || maxTaint === 0)) {
          // Every feasible node gets the same TaintToleration score: replay selectHost from
          // the shards' summaries, O(shards + ties) instead of a walk over every position.
          nFeasible = n;
          summary = regions;
        } else {
          // Compact the positional results in scan order.
          nFeasible = compactPositional(out, feasible, totals, buf.scores, buf.stride, len);
        }
      } else {
        selReset(buf.sel, 0);
        summary = -1;
      }
      while (pos < len && nFeasible < need) {
        const end = fusedBasic(
          cx.table,
          cx.prog,
          start,
          len,
          pos,
          len,
          out,
          need - nFeasible,
          feasible,
          nFeasible,
          totals,
          taintRaw,
          weights,
          false,
          buf.sel,
          0,
        );
        nFeasible += scanStats.feasible;
        processed = end;
        pos = end;
      }
    }
    scan: while (weights === undefined && pos < len && nFeasible < need) {
      const end = env.evaluator.filter(
        cx.table,
        cx.prog,
        buf,
        listed,
        start,
        len,
        pos,
        len,
        need - nFeasible,
        tr === undefined ? nFeasible : undefined,
      );
      const got = env.evaluator.collected;
      if (tr === undefined && got >= 0) {
        // The kernel appended the feasible slots itself, in scan order.
        nFeasible += got;
        processed = end;
        pos = end;
        continue;
      }
      const order = cx.table.order;
      for (let p = pos; p < end; p++) {
        let r = out[p] as number;
        if (r !== 0 && r !== DEFERRED && tr === undefined) {
          processed = p + 1;
          continue;
        }
        let slot: number;
        if (listed) slot = buf.scanList[p] as number;
        else {
          let i = start + p;
          if (i >= len) i -= len;
          slot = order[i] as number;
        }
        if (r === DEFERRED) {
          r = this.filterWithNominated(cx, slot);
          out[p] = r;
        }
        tr?.visited.push({ slot, packed: r });
        if (r === 0) {
          feasible[nFeasible++] = slot;
          if (nFeasible === need) {
            processed = p + 1;
            break scan;
          }
        }
        processed = p + 1;
      }
      pos = end;
    }
    work.nodesFiltered += processed;
    env.nextStartNodeIndex = (env.nextStartNodeIndex + processed) % nodes.length;
    if (tr !== undefined) for (let i = 0; i < nFeasible; i++) tr.feasible.push(feasible[i] as number);

    if (nFeasible === 0) {
      for (let p = 0; p < processed; p++) {
        const slot = listed ? (buf.scanList[p] as number) : (cx.table.order[(start + p) % len] as number);
        let r = out[p] as number;
        // A fused pass leaves failures pending: only an unschedulable pod needs them.
        if (r === FAIL_PENDING) r = filterNode(cx.table, cx.prog, slot);
        const s = this.statusOf(cx, slot, r);
        const name = (cx.cache.bySlot[slot] as NodeRecord).name;
        diag.nodeToStatus.set(name, s);
        diag.addPluginStatus(s);
      }
      if (listed) for (const n of pre.withNodes) diag.unschedulablePlugins.add(n);
      return fail(new Status(Code.Unschedulable, [fitErrorMessage(nodes.length, diag)]), processed);
    }
    const evaluated = processed + diag.nodeToStatus.size;
    if (nFeasible === 1) {
      const slot = feasible[0] as number;
      // (A sharded pass with one feasible node was compacted: summary is only set for n >= 2.)
      return {
        node: (cx.cache.bySlot[slot] as NodeRecord).name,
        status: SUCCESS,
        evaluatedNodes: evaluated,
        feasibleNodes: 1,
        work,
      };
    }
    const sel =
      weights !== undefined
        ? this.selectFused(env, cx, nFeasible, weights, summary, len)
        : this.prioritize(env, cx, nFeasible, tr);
    if (sel instanceof Status)
      return { status: sel, evaluatedNodes: evaluated, feasibleNodes: nFeasible, work, nominatedNode: "" };
    return {
      node: (cx.cache.bySlot[sel] as NodeRecord).name,
      status: SUCCESS,
      evaluatedNodes: evaluated,
      feasibleNodes: nFeasible,
      work,
    };
  }

  /**
   * When every score plugin that would run is fused-kernel material and the others would Skip
   * (decided without side effects), runs their PreScore before filtering and returns the
   * weights [fit, balanced, taint, image]; undefined means the general path.
   */
  private earlyPreScore(cx: CycleContext): Float64Array | undefined {
    for (const p of this.preScorePlugins) {
      const n = p.name;
      if (n === "TaintToleration" || n === "NodeResourcesFit" || n === "NodeResourcesBalancedAllocation") continue;
      if (p.wouldSkipPreScore?.(cx) !== true) return undefined;
    }
    for (const p of this.scorePlugins) {
      if (p.code === 0) return undefined;
    }
    const pi = cx.prog.pi;
    for (const p of this.preScorePlugins) {
      if (p.wouldSkipPreScore !== undefined) {
        cx.skipScore.add(p.name);
        continue;
      }
      const st = p.preScore?.(cx, NO_SLOTS, 0);
      if (st === undefined) continue;
      if (st.isSkip) cx.skipScore.add(p.name);
      else if (!st.isSuccess) {
        cx.skipScore.clear();
        return undefined;
      }
    }
    const w = new Float64Array(4);
    let k = 0;
    const names: string[] = [];
    for (const p of this.scorePlugins) {
      if (cx.skipScore.has(p.name)) continue;
      p.compileScore?.(cx, NO_SLOTS, 0);
      pi[P_SCORE + k++] = p.code;
      names.push(p.name);
      const weight = this.profile.weights[p.name] ?? 1;
      if (p.code === C_FIT) w[0] = weight;
      else if (p.code === C_BALANCED) w[1] = weight;
      else if (p.code === C_TAINT_TOLERATION) w[2] = weight;
      else if (p.code === C_IMAGE_LOCALITY) w[3] = weight;
    }
    pi[P_NSCORE] = k;
    if (!fusedEligible(cx.prog)) {
      cx.skipScore.clear();
      return undefined;
    }
    cx.work.activeScores = names;
    return w;
  }

  /**
   * The fused path's NormalizeScore (TaintToleration), totals and selectHost. With a usable
   * selection summary (`summary` as in findAndScore) the totals are not walked again: when no
   * feasible node has an untolerated PreferNoSchedule taint, TaintToleration adds the same
   * 100 × weight to every total, which changes neither the order nor the ties, and selectHost's
   * reservoir sampling is replayed from the running-maximum levels with the same draws.
   */
  private selectFused(
    env: CycleEnv,
    cx: CycleContext,
    n: number,
    w: Float64Array,
    summary: number,
    len: number,
  ): number {
    const buf = env.buffers;
    const wTaint = w[2] as number;
    cx.work.nodesScored += n;
    const sel = buf.sel;
    if (summary > 0) {
      let at = replaySelect(sel, summary, env.hostRng);
      if (at < 0) at = nthTiePositional(buf.filterOut, buf.scores, buf.stride, len, replayTie.best, -1 - at);
      return buf.feasible[at] as number;
    }
    if (summary < 0 && sel[SEL_OVERFLOW] === 0 && (wTaint === 0 || sel[SEL_MAX_TAINT] === 0)) {
      let at = replaySelect(sel, 1, env.hostRng);
      if (at < 0) at = nthTie(buf.totals(n), n, replayTie.best, -1 - at);
      return buf.feasible[at] as number;
    }
    const totals = buf.totals(n);
    if (wTaint > 0) {
      const raw = buf.scores;
      defaultNormalize(raw, 0, n, true);
      addWeighted(totals, raw, n, wTaint);
    }
    return buf.feasible[pickTop(totals, n, env.hostRng)] as number;
  }

  /** PreScore, Score, NormalizeScore, weights, selectHost; returns the chosen slot or an error. */
  private prioritize(env: CycleEnv, cx: CycleContext, n: number, tr: CycleTrace | undefined): number | Status {
    const buf = env.buffers;
    const feasible = buf.feasible;
    for (const p of this.preScorePlugins) {
      const s = p.preScore?.(cx, feasible, n);
      if (s === undefined) continue;
      tr?.preScoreStatuses.push({ plugin: p.name, status: s });
      if (s.isSkip) {
        cx.skipScore.add(p.name);
        continue;
      }
      if (!s.isSuccess) return new Status(Code.Error, [`running PreScore plugin "${p.name}": ${s.message}`], p.name);
    }
    const active: Plugin[] = [];
    const pi = cx.prog.pi;
    for (const p of this.scorePlugins) {
      if (cx.skipScore.has(p.name)) continue;
      p.compileScore?.(cx, feasible, n);
      pi[P_SCORE + active.length] = p.code;
      active.push(p);
    }
    pi[P_NSCORE] = active.length;
    cx.work.nodesScored += n;
    cx.work.activeScores = active.map((p) => p.name);
    const scores = buf.scores;
    const stride = buf.stride;
    if (active.length > 0) env.evaluator.score(cx.table, cx.prog, buf, n);
    if (tr !== undefined) {
      tr.scorePlugins = active.map((p) => p.name);
      tr.raw = active.map((_p, k) => Array.from(scores.subarray(k * stride, k * stride + n)));
    }
    const weights = active.map((p) => this.profile.weights[p.name] ?? 1);
    const totals = buf.totals(n);
    totals.fill(0, 0, n);
    for (let k = 0; k < active.length; k++) {
      const p = active[k] as Plugin;
      const off = k * stride;
      p.normalize?.(cx, scores, off, n, feasible);
      const w = weights[k] as number;
      for (let i = 0; i < n; i++) {
        const s = scores[off + i] as number;
        if (s > 100 || s < 0) {
          return new Status(Code.Error, [
            `applying score defaultWeights on Score plugins: plugin "${p.name}" returns an invalid score ${s}, it should in the range of [0, 100] after normalizing`,
          ]);
        }
        totals[i] = (totals[i] as number) + s * w;
      }
    }
    if (tr !== undefined)
      tr.normalized = active.map((_p, k) => Array.from(scores.subarray(k * stride, k * stride + n)));
    // selectHost: reservoir sampling among the top totals, in feasible (scan) order.
    const pick = pickTop(totals, n, env.hostRng);
    if (tr !== undefined) {
      tr.totals = Array.from(totals.subarray(0, n));
      tr.selectedIndex = pick;
    }
    return feasible[pick] as number;
  }

  /** RunPostFilterPlugins after a FitError. */
  private postFilter(env: CycleEnv, cx: CycleContext, res: CycleResult, numNodes: number): CycleResult {
    const diag = res.diagnosis as Diagnosis;
    if (this.postFilterPlugins.length === 0) {
      res.nominatedNode = "";
      return res;
    }
    for (const p of this.postFilterPlugins) {
      const pf = p.postFilter(this, env, cx, diag);
      res.postFilter = pf;
      if (pf.status.message !== "") diag.postFilterMsg = pf.status.message;
      if (pf.nominatedNode !== undefined) res.nominatedNode = pf.nominatedNode;
      if (pf.status.isSuccess || pf.status.code === Code.UnschedulableAndUnresolvable || pf.status.code === Code.Error)
        break;
    }
    // schedulingCycle reports every FitError as Unschedulable, PostFilter message included.
    res.status = new Status(Code.Unschedulable, [fitErrorMessage(numNodes, diag)]);
    return res;
  }
}

// The loops over every feasible node or scan position live in small functions of their own:
// in a large function, V8 compiles a loop that runs long during the function's first calls
// on-stack (OSR) before the code after it ever ran, and such code deoptimizes at that code on
// every later call (V8 11 keeps reusing it). See nodetable/kernel.ts FUSED_CHUNK.

/** Moves a positional (sharded) pass's feasible results to the front, in scan order; returns their count. */
function compactPositional(
  out: Int32Array,
  feasible: Int32Array,
  totals: Float64Array,
  sc: Float64Array,
  stride: number,
  len: number,
): number {
  let n = 0;
  for (let p = 0; p < len; p++) {
    if (out[p] !== 0) continue;
    feasible[n] = feasible[p] as number;
    totals[n] = sc[stride + p] as number;
    sc[n] = sc[2 * stride + p] as number;
    n++;
  }
  return n;
}

/** totals[i] += raw[i] × w for i < n. */
function addWeighted(totals: Float64Array, raw: Float64Array, n: number, w: number): void {
  for (let i = 0; i < n; i++) totals[i] = (totals[i] as number) + (raw[i] as number) * w;
}

/** selectHost: reservoir sampling among the top totals[0 .. n), in order; returns the index. */
function pickTop(totals: Float64Array, n: number, rng: Rng): number {
  let best = Number.NEGATIVE_INFINITY;
  let count = 0;
  let pick = 0;
  for (let i = 0; i < n; i++) {
    const total = totals[i] as number;
    if (total > best) {
      best = total;
      count = 1;
      pick = i;
    } else if (total === best) {
      count++;
      if (rng.int(count) === 0) pick = i;
    }
  }
  return pick;
}

/**
 * selectHost (reservoir sampling among the top totals, in scan order) replayed from selection
 * summaries of `regions` consecutive shards (layout.ts SEL_*): levels below the running
 * maximum draw nothing, a new maximum restarts the count, every tie draws rng.int(count), the
 * same calls in the same order as the walk over all totals. Returns the chosen node's index
 * (feasible index or scan position, whatever the pass recorded).
 */
export function replaySelect(sel: Float64Array, regions: number, rng: Rng): number {
  let best = Number.NEGATIVE_INFINITY;
  let count = 0;
  let pickRegion = -1;
  let pickK = 0;
  for (let r = 0; r < regions; r++) {
    const b = r * SEL_REGION;
    if (sel[b + SEL_FEASIBLE] === 0) continue;
    const nLevels = sel[b + SEL_NLEVELS] as number;
    for (let l = 0; l <= nLevels; l++) {
      const last = l === nLevels;
      const v = last ? (sel[b + SEL_BEST] as number) : (sel[b + SEL_LEVELS + 2 * l] as number);
      const c = last ? (sel[b + SEL_COUNT] as number) : (sel[b + SEL_LEVELS + 2 * l + 1] as number);
      if (v < best) continue;
      let k = 0;
      if (v > best) {
        best = v;
        count = 1;
        pickRegion = last ? r : -1;
        pickK = 0;
        k = 1;
      }
      for (; k < c; k++) {
        count++;
        if (rng.int(count) === 0) {
          pickRegion = last ? r : -1;
          pickK = k;
        }
      }
    }
  }
  // The overall maximum is the last level of every shard that reaches it.
  if (pickRegion < 0) throw new Error("selection summary without a final level");
  if (pickK < SEL_MAX_FINAL) return sel[pickRegion * SEL_REGION + SEL_FINAL + pickK] as number;
  // More ties than the region kept positions of: the pick is the n-th node at the top total
  // in scan order (the earlier regions that reach the maximum hold the first ones).
  let nth = pickK;
  for (let r = 0; r < pickRegion; r++) {
    const b = r * SEL_REGION;
    if (sel[b + SEL_FEASIBLE] !== 0 && sel[b + SEL_BEST] === best) nth += sel[b + SEL_COUNT] as number;
  }
  replayTie.best = best;
  return -1 - nth;
}

/** When replaySelect returns −1 − n: the pick is the n-th (from 0) node whose total is `best`. */
export const replayTie = { best: 0 };

/** The index of the n-th (from 0) total equal to `best` among totals[0 .. len). */
function nthTie(totals: Float64Array, len: number, best: number, n: number): number {
  let k = n;
  for (let i = 0; i < len; i++) if (totals[i] === best && k-- === 0) return i;
  throw new Error("selection summary: tie not found");
}

/** The scan position of the n-th (from 0) feasible position whose total (scores row 1) is `best`. */
function nthTiePositional(
  out: Int32Array,
  sc: Float64Array,
  stride: number,
  len: number,
  best: number,
  n: number,
): number {
  let k = n;
  for (let p = 0; p < len; p++) if (out[p] === 0 && sc[stride + p] === best && k-- === 0) return p;
  throw new Error("selection summary: tie not found");
}

/** Deep copy of plugin state objects (plain data, typed arrays, maps and class instances). */
function cloneState<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (ArrayBuffer.isView(v)) return (v as unknown as Uint8Array).slice() as unknown as T;
  if (Array.isArray(v)) return v.map((x) => cloneState(x)) as unknown as T;
  if (v instanceof Map || v instanceof Set) return v;
  const out = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    // Shared, immutable parts (selectors, terms, the cycle context) are kept by reference.
    out[k] = k === "cx" || k === "constraints" || k === "affinityTerms" || k === "antiTerms" ? x : cloneState(x);
  }
  return out as T;
}
