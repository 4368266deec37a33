/**
 * PodTopologySpread (plugins/podtopologyspread/common.go, filtering.go, scoring.go).
 *
 * Counting uses the cache's selector index (matching pods per node slot) instead of walking
 * pods, and sums it over eligible nodes exactly as upstream's PreFilter/PreScore do. Default
 * constraints come from the Services, ReplicationControllers, ReplicaSets and StatefulSets that
 * select the pod (helper/spread.go DefaultSelector).
 */
import { compileLabelSelector, LabelMatcher, type LabelRequirement, selectorFromSet } from "../../api/labels.js";
import { findUntoleratedTaint, isNoScheduleOrNoExecute } from "../../api/taints.js";
import type { TopologySpreadConstraint } from "../../api/types/core.js";
import type { SchedulerCache } from "../cache/cache.js";
import type { SelectorEntry } from "../cache/indexes.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { PodTopologySpreadArgs } from "../config/types.js";
import { SKIP, type Status, SUCCESS } from "../framework/status.js";
import {
  type CycleContext,
  type Plugin,
  PREFILTER_SKIP,
  PREFILTER_SUCCESS,
  type PreFilterOutcome,
} from "../framework/types.js";
import { goDiv } from "../nodetable/gomath.js";
import { selectorSectionMatches, spreadIgnored } from "../nodetable/kernel.js";
import { C_SPREAD, I_TAINTSET, N_POD_COUNT, P_FBASE, P_SBASE, REASON_MASK } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const HOSTNAME = "kubernetes.io/hostname";
const MAX_INT32 = 2 ** 31 - 1;

/** `v1.TopologySpreadConstraint` with its selector compiled (common.go topologySpreadConstraint). */
export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelMatcher;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

/** System default constraints (DefaultingType System). */
const SYSTEM_DEFAULTS: TopologySpreadConstraint[] = [
  { topologyKey: "topology.kubernetes.io/zone", maxSkew: 5, whenUnsatisfiable: "ScheduleAnyway" },
  { topologyKey: HOSTNAME, maxSkew: 3, whenUnsatisfiable: "ScheduleAnyway" },
];

/** criticalPaths (filtering.go): the two smallest (value, count) pairs, updated incrementally. */
class CriticalPaths {
  v0 = 0;
  n0 = MAX_INT32;
  v1 = 0;
  n1 = MAX_INT32;

  update(v: number, num: number): void {
    let i = -1;
    if (v === this.v0) i = 0;
    else if (v === this.v1) i = 1;
    if (i >= 0) {
      if (i === 0) this.n0 = num;
      else this.n1 = num;
      if (this.n0 > this.n1) {
        [this.v0, this.n0, this.v1, this.n1] = [this.v1, this.n1, this.v0, this.n0];
      }
    } else if (num < this.n0) {
      this.v1 = this.v0;
      this.n1 = this.n0;
      this.v0 = v;
      this.n0 = num;
    } else if (num < this.n1) {
      this.v1 = v;
      this.n1 = num;
    }
  }
}

interface FilterState {
  constraints: Constraint[];
  keyIds: number[];
  tables: number[];
  present: Uint8Array[];
  domains: number[];
  paths: CriticalPaths[];
  /** Section base, to rewrite minMatch after AddPod/RemovePod. */
  base: number;
  untolerated: Uint8Array;
}

export class PodTopologySpread implements Plugin {
  readonly name = "PodTopologySpread";
  readonly code = C_SPREAD;
  private readonly defaults: readonly TopologySpreadConstraint[];
  private readonly systemDefaulted: boolean;
  readonly events: Plugin["events"];

  constructor(
    args: PodTopologySpreadArgs,
    private readonly cache: SchedulerCache,
  ) {
    this.systemDefaulted = args.defaultingType === "System";
    this.defaults = this.systemDefaulted ? SYSTEM_DEFAULTS : args.defaultConstraints;
    const podHint = (pod: PodInfo, e: ClusterEvent) => {
      const others: PodInfo[] =
        e.kind === "AssignedPodAdd" || e.kind === "AssignedPodDelete"
          ? [e.pod]
          : e.kind === "AssignedPodUpdate"
            ? [e.oldPod, e.pod]
            : [];
      const cs = [...this.getConstraints(pod, "DoNotSchedule"), ...this.getConstraints(pod, "ScheduleAnyway")];
      for (const o of others) {
        if (o.namespace !== pod.namespace) continue;
        if (cs.some((c) => c.selector.matches(o.labels))) return "Queue" as const;
      }
      return "QueueSkip" as const;
    };
    const nodeHint = (pod: PodInfo, e: ClusterEvent) => {
      const node = e.kind === "NodeAdd" || e.kind === "NodeUpdate" || e.kind === "NodeDelete" ? e.node : undefined;
      if (node === undefined) return "QueueSkip" as const;
      const cs = [...this.getConstraints(pod, "DoNotSchedule"), ...this.getConstraints(pod, "ScheduleAnyway")];
      const labels = node.metadata.labels ?? {};
      return cs.length > 0 && cs.every((c) => c.topologyKey in labels) ? ("Queue" as const) : ("QueueSkip" as const);
    };
    this.events = [
      { event: "AssignedPodAdd", hint: podHint },
      { event: "AssignedPodUpdate", hint: podHint },
      { event: "AssignedPodDelete", hint: podHint },
      { event: "NodeAdd", hint: nodeHint },
      { event: "NodeUpdate", hint: nodeHint },
      { event: "NodeDelete", hint: nodeHint },
    ];
  }

  // -------------------------------------------------------------------------------------------
  // Constraints

  /** filterTopologySpreadConstraints (+ matchLabelKeys, minDomains, inclusion policies). */
  private convert(list: readonly TopologySpreadConstraint[], pod: PodInfo, action: string): Constraint[] {
    const out: Constraint[] = [];
    for (const c of list) {
      if (c.whenUnsatisfiable !== action) continue;
      let selector = compileLabelSelector(c.labelSelector ?? null);
      const keys = c.matchLabelKeys ?? [];
      const reqs: LabelRequirement[] = [];
      for (const k of keys) {
        const v = pod.labels[k];
        if (typeof v === "string") reqs.push({ key: k, operator: "=", values: [v] });
      }
      if (reqs.length > 0) {
        // mergeLabelSetWithSelector: a Nothing selector has no requirements to keep.
        selector = new LabelMatcher(selector.matchesNothing ? reqs : [...reqs, ...selector.requirements]);
      }
      out.push({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector,
        minDomains: c.minDomains ?? 1,
        honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
        honorTaints: (c.nodeTaintsPolicy ?? "Ignore") === "Honor",
      });
    }
    return out;
  }

  /** helper.DefaultSelector: Services (by selector), then the controlling RC / RS / StatefulSet. */
  defaultSelector(pod: PodInfo): LabelMatcher {
    const labelSet: Record<string, string> = {};
    for (const svc of this.cache.services.values()) {
      if ((svc.metadata.namespace ?? "default") !== pod.namespace) continue;
      const sel = svc.spec?.selector;
      if (sel === undefined || sel === null) continue;
      if (selectorFromSet(sel).matches(pod.labels)) Object.assign(labelSet, sel);
    }
    let selector = selectorFromSet(labelSet);
    const owner = (pod.pod.metadata.ownerReferences ?? []).find((o) => o.controller === true);
    if (owner === undefined) return selector;
    const key = `${pod.namespace}/${owner.name}`;
    const add = (s: LabelMatcher) => {
      if (!s.matchesNothing) selector = new LabelMatcher([...selector.requirements, ...s.requirements]);
    };
    if (owner.apiVersion === "v1" && owner.kind === "ReplicationController") {
      const rc = this.cache.replicationControllers.get(key);
      if (rc !== undefined) {
        Object.assign(labelSet, rc.spec.selector ?? {});
        selector = selectorFromSet(labelSet);
      }
    } else if (owner.apiVersion === "apps/v1" && owner.kind === "ReplicaSet") {
      const rs = this.cache.replicaSets.get(key);
      if (rs !== undefined) {
        try {
          add(compileLabelSelector(rs.spec.selector));
        } catch {
          // An invalid selector adds nothing.
        }
      }
    } else if (owner.apiVersion === "apps/v1" && owner.kind === "StatefulSet") {
      const ss = this.cache.statefulSets.get(key);
      if (ss !== undefined) {
        try {
          add(compileLabelSelector(ss.spec.selector));
        } catch {
          // An invalid selector adds nothing.
        }
      }
    }
    return selector;
  }

  /** getConstraints: the pod's own, or the defaults with the deduced selector. */
  getConstraints(pod: PodInfo, action: "DoNotSchedule" | "ScheduleAnyway"): Constraint[] {
    const own = pod.pod.spec.topologySpreadConstraints ?? [];
    if (own.length > 0) return this.convert(own, pod, action);
    const cs = this.convert(this.defaults, pod, action);
    if (cs.length === 0) return cs;
    const sel = this.defaultSelector(pod);
    if (sel.empty) return [];
    for (const c of cs) c.selector = sel;
    return cs;
  }

  private untoleratedTable(cx: CycleContext): Uint8Array {
    const sets = cx.cache.taintSets.sets;
    const out = new Uint8Array(sets.length);
    for (let s = 0; s < sets.length; s++) {
      out[s] =
        findUntoleratedTaint(sets[s], cx.pod.pod.spec.tolerations, isNoScheduleOrNoExecute) === undefined ? 0 : 1;
    }
    return out;
  }

  private included(cx: CycleContext, c: Constraint, slot: number, untolerated: Uint8Array): boolean {
    if (c.honorNodeAffinity && cx.requiredAffinity >= 0) {
      if (!selectorSectionMatches(cx.table, cx.prog.pi, cx.requiredAffinity, slot)) return false;
    }
    if (c.honorTaints && untolerated[cx.table.getInt(slot, I_TAINTSET)] === 1) return false;
    return true;
  }

  private entry(cx: CycleContext, c: Constraint): SelectorEntry {
    return cx.cache.selectors.get(new Set([cx.pod.namespace]), c.selector, true);
  }

  private domainCache = new Map<string, { gen: number; doms: Uint8Array[] }>();

  /** Values of each key among nodes that hold all the keys (the eligible domains without policies). */
  private domains(cx: CycleContext, keys: Int32Array): Uint8Array[] {
    const t = cx.table;
    const id = keys.join(",");
    const hit = this.domainCache.get(id);
    if (hit !== undefined && hit.gen === cx.cache.nodeGeneration) return hit.doms;
    const doms = Array.from(keys, (k) => new Uint8Array(k < 0 ? 1 : t.valueSpan(k)));
    for (const r of cx.nodes) {
      let all = true;
      for (const k of keys) if (t.label(r.slot, k) === 0) all = false;
      if (!all) continue;
      keys.forEach((k, c) => {
        (doms[c] as Uint8Array)[t.label(r.slot, k)] = 1;
      });
    }
    if (this.domainCache.size > 64) this.domainCache.clear();
    this.domainCache.set(id, { gen: cx.cache.nodeGeneration, doms });
    return doms;
  }

  // -------------------------------------------------------------------------------------------
  // Filter

  preFilter(cx: CycleContext): PreFilterOutcome {
    const constraints = this.getConstraints(cx.pod, "DoNotSchedule");
    if (constraints.length === 0) return PREFILTER_SKIP;
    const t = cx.table;
    const keyIds = constraints.map((c) => t.knownKeyId(c.topologyKey));
    const entries = constraints.map((c) => this.entry(cx, c));
    const spans = keyIds.map((k) => (k < 0 ? 1 : t.valueSpan(k)));
    const tables = spans.map((s) => cx.prog.allocI(s));
    const present = spans.map((s) => new Uint8Array(s));
    const untolerated = this.untoleratedTable(cx);
    const pi = cx.prog.pi;
    let pods = 0;
    const nC = constraints.length;
    const keys = Int32Array.from(keyIds);
    const counts = entries.map((e) => e.counts);
    const honorAff = constraints.map((c) => c.honorNodeAffinity && cx.requiredAffinity >= 0);
    const honorTaint = constraints.map((c) => c.honorTaints);
    const anyAff = honorAff.some((x) => x);
    const nodes = cx.nodes;
    // Without inclusion policies every node holding all the keys is eligible, so the domains
    // are those of such nodes (cached per key set until a node changes) and nodes without
    // matching pods add nothing.
    const plain = !anyAff && !honorTaint.some((x) => x);
    if (plain) {
      const doms = this.domains(cx, keys);
      for (let c = 0; c < nC; c++)
        (present[c] as Uint8Array).set((doms[c] as Uint8Array).subarray(0, (present[c] as Uint8Array).length));
    }
    for (let ni = 0; ni < nodes.length; ni++) {
      const slot = (nodes[ni] as (typeof nodes)[number]).slot;
      if (plain) {
        let any = false;
        for (let c = 0; c < nC; c++) if (((counts[c] as Int32Array)[slot] as number) !== 0) any = true;
        if (!any) {
          if (t.getNum(slot, N_POD_COUNT) > 0) {
            let all = true;
            for (let c = 0; c < nC; c++) if (t.label(slot, keys[c] as number) === 0) all = false;
            if (all) pods += t.getNum(slot, N_POD_COUNT) * nC;
          }
          continue;
        }
      }
      let all = true;
      for (let c = 0; c < nC; c++) if (t.label(slot, keys[c] as number) === 0) all = false;
      if (!all) continue;
      const affOk = !anyAff || selectorSectionMatches(t, pi, cx.requiredAffinity, slot);
      const taintBad = untolerated[t.getInt(slot, I_TAINTSET)] === 1;
      let counted = false;
      for (let c = 0; c < nC; c++) {
        if ((honorAff[c] && !affOk) || (honorTaint[c] && taintBad)) continue;
        const v = t.label(slot, keys[c] as number);
        const off = tables[c] as number;
        pi[off + v] = (pi[off + v] as number) + ((counts[c] as Int32Array)[slot] as number);
        (present[c] as Uint8Array)[v] = 1;
        counted = true;
      }
      if (counted) pods += t.getNum(slot, N_POD_COUNT) * nC;
    }
    cx.work.spreadPreFilterNodes += cx.nodes.length;
    cx.work.spreadPreFilterPods += pods;
    const paths = constraints.map(() => new CriticalPaths());
    const domains = constraints.map(() => 0);
    constraints.forEach((_c, i) => {
      const pr = present[i] as Uint8Array;
      for (let v = 1; v < pr.length; v++) {
        if (pr[v] === 1) {
          (domains as number[])[i] = (domains[i] as number) + 1;
          (paths[i] as CriticalPaths).update(v, pi[(tables[i] as number) + v] as number);
        }
      }
    });
    const base = cx.prog.allocI(1 + 5 * constraints.length);
    pi[base] = constraints.length;
    constraints.forEach((c, i) => {
      const at = base + 1 + 5 * i;
      pi[at] = keyIds[i] as number;
      pi[at + 1] = c.maxSkew;
      pi[at + 2] = c.selector.matches(cx.pod.labels) ? 1 : 0;
      pi[at + 3] = minMatch(paths[i] as CriticalPaths, domains[i] as number, c.minDomains);
      pi[at + 4] = tables[i] as number;
    });
    pi[P_FBASE + C_SPREAD] = base;
    const st: FilterState = { constraints, keyIds, tables, present, domains, paths, base, untolerated };
    cx.state.set(this.name, st);
    return PREFILTER_SUCCESS;
  }

  filterReasons(_cx: CycleContext, _slot: number, packed: number): string[] {
    return [(packed & REASON_MASK) === 0 ? ERR_REASON_NODE_LABEL_NOT_MATCH : ERR_REASON_CONSTRAINTS_NOT_MATCH];
  }

  /** updateWithPod (filtering.go), for AddPod (+1) and RemovePod (−1). */
  private updateWithPod(cx: CycleContext, pod: PodInfo, slot: number, delta: number): void {
    const st = cx.state.get(this.name) as FilterState | undefined;
    if (st === undefined || pod.namespace !== cx.pod.namespace) return;
    const t = cx.table;
    for (const k of st.keyIds) if (t.label(slot, k) === 0) return;
    const pi = cx.prog.pi;
    st.constraints.forEach((c, i) => {
      if (!c.selector.matches(pod.labels)) return;
      if (!this.included(cx, c, slot, st.untolerated)) return;
      const v = t.label(slot, st.keyIds[i] as number);
      const off = st.tables[i] as number;
      pi[off + v] = (pi[off + v] as number) + delta;
      const pr = st.present[i] as Uint8Array;
      if (pr[v] === 0) {
        pr[v] = 1;
        st.domains[i] = (st.domains[i] as number) + 1;
      }
      (st.paths[i] as CriticalPaths).update(v, pi[off + v] as number);
      pi[st.base + 1 + 5 * i + 3] = minMatch(st.paths[i] as CriticalPaths, st.domains[i] as number, c.minDomains);
    });
  }

  addPod(cx: CycleContext, pod: PodInfo, slot: number): void {
    this.updateWithPod(cx, pod, slot, 1);
  }

  removePod(cx: CycleContext, pod: PodInfo, slot: number): void {
    this.updateWithPod(cx, pod, slot, -1);
  }

  // -------------------------------------------------------------------------------------------
  // Score

  wouldSkipPreScore(cx: CycleContext): boolean {
    return cx.nodes.length === 0 || this.getConstraints(cx.pod, "ScheduleAnyway").length === 0;
  }

  preScore(cx: CycleContext, feasible: Int32Array, n: number): Status {
    if (cx.nodes.length === 0) return SKIP;
    const constraints = this.getConstraints(cx.pod, "ScheduleAnyway");
    if (constraints.length === 0) return SKIP;
    const t = cx.table;
    const requireAll = (cx.pod.pod.spec.topologySpreadConstraints ?? []).length > 0 || !this.systemDefaulted;
    const keyIds = constraints.map((c) => t.knownKeyId(c.topologyKey));
    const spans = keyIds.map((k) => (k < 0 ? 1 : t.valueSpan(k)));
    // Absent labels count under the "" value (Go map key ""), which may itself be interned.
    const candidate = spans.map((s) => new Uint8Array(s + 1));
    const size = constraints.map(() => 0);
    const nC = constraints.length;
    const keys = Int32Array.from(keyIds);
    const isHost = constraints.map((c) => c.topologyKey === HOSTNAME);
    const emptyIds = keyIds.map((k, i) => {
      const e = k < 0 ? 0 : t.knownValueId(k, "");
      return e > 0 ? e : (spans[i] as number);
    });
    let ignored = 0;
    for (let i = 0; i < n; i++) {
      const slot = feasible[i] as number;
      if (requireAll) {
        let missing = false;
        for (let c = 0; c < nC; c++) if (t.label(slot, keys[c] as number) === 0) missing = true;
        if (missing) {
          ignored++;
          continue;
        }
      }
      for (let c = 0; c < nC; c++) {
        if (isHost[c]) continue;
        const v = t.label(slot, keys[c] as number);
        const b = v === 0 ? (emptyIds[c] as number) : v;
        const cand = candidate[c] as Uint8Array;
        if (cand[b] === 0) {
          cand[b] = 1;
          size[c] = (size[c] as number) + 1;
        }
      }
    }
    const prog = cx.prog;
    const tables = spans.map((s) => prog.allocI(s + 1));
    const entries = constraints.map((c) => this.entry(cx, c));
    const counts = entries.map((e) => e.counts);
    const untolerated = this.untoleratedTable(cx);
    const pi = prog.pi;
    const honorAff = constraints.map((c) => c.honorNodeAffinity && cx.requiredAffinity >= 0);
    const honorTaint = constraints.map((c) => c.honorTaints);
    const anyAff = honorAff.some((x) => x);
    const anyNonHost = isHost.some((h) => !h);
    const nNonHost = isHost.filter((h) => !h).length;
    let pods = 0;
    const nodes = cx.nodes;
    for (let ni = 0; anyNonHost && ni < nodes.length; ni++) {
      const slot = (nodes[ni] as (typeof nodes)[number]).slot;
      if (requireAll) {
        let missing = false;
        for (let c = 0; c < nC; c++) if (t.label(slot, keys[c] as number) === 0) missing = true;
        if (missing) continue;
      }
      // Cost: upstream counts the pods of every eligible node for each non-hostname constraint.
      pods += t.getNum(slot, N_POD_COUNT) * nNonHost;
      let any = false;
      for (let c = 0; c < nC; c++) if (!isHost[c] && ((counts[c] as Int32Array)[slot] as number) !== 0) any = true;
      if (!any) continue;
      const affOk = !anyAff || selectorSectionMatches(t, pi, cx.requiredAffinity, slot);
      const taintBad = untolerated[t.getInt(slot, I_TAINTSET)] === 1;
      for (let c = 0; c < nC; c++) {
        if (isHost[c] || (honorAff[c] && !affOk) || (honorTaint[c] && taintBad)) continue;
        const v = t.label(slot, keys[c] as number);
        const b = v === 0 ? (emptyIds[c] as number) : v;
        if ((candidate[c] as Uint8Array)[b] === 0) continue;
        const off = tables[c] as number;
        pi[off + b] = (pi[off + b] as number) + ((counts[c] as Int32Array)[slot] as number);
      }
    }
    cx.work.spreadPreScoreNodes += cx.nodes.length;
    cx.work.spreadPreScorePods += pods;
    // Per-node counts for a hostname constraint, indexed by feasible position.
    const hi = constraints.findIndex((c) => c.topologyKey === HOSTNAME);
    let host = -1;
    if (hi >= 0) {
      host = prog.allocI(n);
      const counts = (entries[hi] as SelectorEntry).counts;
      for (let i = 0; i < n; i++) pi[host + i] = counts[feasible[i] as number] as number;
    }
    const f = prog.allocF(constraints.length);
    const base = prog.allocI(4 + 4 * constraints.length);
    pi[base] = constraints.length;
    pi[base + 1] = requireAll ? 1 : 0;
    pi[base + 2] = f;
    pi[base + 3] = host;
    constraints.forEach((c, ci) => {
      const sz = c.topologyKey === HOSTNAME ? n - ignored : (size[ci] as number);
      prog.pf[f + ci] = Math.log(sz + 2);
      const at = base + 4 + 4 * ci;
      pi[at] = keyIds[ci] as number;
      pi[at + 1] = c.topologyKey === HOSTNAME ? 1 : 0;
      pi[at + 2] = c.maxSkew - 1;
      pi[at + 3] = tables[ci] as number;
    });
    pi[P_SBASE + C_SPREAD] = base;
    return SUCCESS;
  }

  /** NormalizeScore (scoring.go): ignored nodes 0; else 100·(max + min − s) ÷ max, 100 when max is 0. */
  normalize(cx: CycleContext, scores: Float64Array, off: number, n: number, feasible: Int32Array): void {
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    const ign = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (spreadIgnored(cx.table, cx.prog, feasible[i] as number)) {
        ign[i] = 1;
        continue;
      }
      const s = scores[off + i] as number;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < n; i++) {
      if (ign[i] === 1) {
        scores[off + i] = 0;
        continue;
      }
      if (max === 0) {
        scores[off + i] = 100;
        continue;
      }
      scores[off + i] = goDiv(100 * (max + min - (scores[off + i] as number)), max);
    }
  }
}

/** minMatchNum: the smallest count, or 0 when there are fewer domains than minDomains. */
function minMatch(p: CriticalPaths, domains: number, minDomains: number): number {
  return domains < minDomains ? 0 : p.n0;
}
