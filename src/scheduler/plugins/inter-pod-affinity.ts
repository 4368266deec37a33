/**
 * InterPodAffinity (plugins/interpodaffinity/filtering.go, scoring.go, plugin.go).
 *
 * Upstream walks pods per cycle; here the counts come from the cache's indexes (matching pods
 * per node slot, and existing pods' terms grouped per slot), summed into the same
 * (topologyKey, value) → count maps, held as tables over interned label values.
 */
import { LabelMatcher, NOTHING } from "../../api/labels.js";
import type { TermGroup } from "../cache/indexes.js";
import {
  TERM_PREFERRED_AFFINITY,
  TERM_PREFERRED_ANTI_AFFINITY,
  TERM_REQUIRED_AFFINITY,
  TERM_REQUIRED_ANTI_AFFINITY,
} from "../cache/indexes.js";
import { AffinityTerm, type PodInfo } from "../cache/pod-info.js";
import type { InterPodAffinityArgs } from "../config/types.js";
import { errorStatus, SKIP, type Status, SUCCESS, unresolvable } from "../framework/status.js";
import {
  type CycleContext,
  type Plugin,
  PREFILTER_SKIP,
  PREFILTER_SUCCESS,
  type PreFilterOutcome,
} from "../framework/types.js";
import { C_INTER_POD_AFFINITY, P_FBASE, P_SBASE, REASON_MASK } from "../nodetable/layout.js";
import type { ClusterEvent } from "../queue/events.js";

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** A (topologyKey → value → count) map as per-key tables in the program, tracking non-zero entries. */
class TopologyCounts {
  readonly keys: number[] = [];
  readonly tables: number[] = [];
  nonZero = 0;

  constructor(private readonly cx: CycleContext) {}

  table(keyId: number): number {
    const i = this.keys.indexOf(keyId);
    if (i >= 0) return this.tables[i] as number;
    const span = keyId < 0 ? 1 : this.cx.table.valueSpan(keyId);
    const off = this.cx.prog.allocI(span);
    this.keys.push(keyId);
    this.tables.push(off);
    return off;
  }

  add(keyId: number, v: number, delta: number): void {
    if (v === 0 || delta === 0) return;
    const off = this.table(keyId);
    const pi = this.cx.prog.pi;
    const before = pi[off + v] as number;
    const after = before + delta;
    pi[off + v] = after;
    if (before === 0 && after !== 0) this.nonZero++;
    else if (before !== 0 && after === 0) this.nonZero--;
  }
}

interface FilterState {
  affinityTerms: AffinityTerm[];
  antiTerms: AffinityTerm[];
  existing: TopologyCounts;
  affinity: TopologyCounts;
  anti: TopologyCounts;
  selfMatch: boolean;
}

/** mergeAffinityTermNamespacesIfNotEmpty: fold a namespace selector into the namespace set. */
function mergeNamespaces(cx: CycleContext, t: AffinityTerm): AffinityTerm {
  if (t.nsSelector.empty || t.nsSelector.matchesNothing) return t;
  const ns = new Set(t.namespaces);
  for (const [name, labels] of cx.cache.namespaces) if (t.nsSelector.matches(labels)) ns.add(name);
  return new AffinityTerm(ns, NOTHING, t.selector, t.topologyKey, t.weight);
}

function termNamespaces(t: AffinityTerm): ReadonlySet<string> | "all" {
  return t.nsSelector.empty ? "all" : t.namespaces;
}

export class InterPodAffinity implements Plugin {
  readonly name = "InterPodAffinity";
  readonly code = C_INTER_POD_AFFINITY;
  readonly events: Plugin["events"];

  constructor(private readonly args: InterPodAffinityArgs) {
    const addHint = (pod: PodInfo, e: ClusterEvent) => {
      const others = e.kind === "AssignedPodAdd" ? [e.pod] : e.kind === "AssignedPodUpdate" ? [e.pod] : [];
      for (const o of others) if (pod.requiredAffinity.some((t) => t.matches(o, undefined))) return "Queue" as const;
      return "QueueSkip" as const;
    };
    const deleteHint = (pod: PodInfo, e: ClusterEvent) => {
      if (e.kind !== "AssignedPodDelete") return "QueueSkip" as const;
      if (pod.requiredAntiAffinity.some((t) => t.matches(e.pod, undefined))) return "Queue" as const;
      if (e.pod.requiredAntiAffinity.some((t) => t.matches(pod, undefined))) return "Queue" as const;
      return "QueueSkip" as const;
    };
    const nodeHint = (pod: PodInfo, e: ClusterEvent) => {
      if (e.kind !== "NodeAdd" && e.kind !== "NodeUpdate") return "QueueSkip" as const;
      const labels = e.node.metadata.labels ?? {};
      const terms = [...pod.requiredAffinity, ...pod.requiredAntiAffinity];
      return terms.some((t) => t.topologyKey in labels) ? ("Queue" as const) : ("QueueSkip" as const);
    };
    this.events = [
      { event: "AssignedPodAdd", hint: addHint },
      { event: "AssignedPodUpdate", hint: addHint },
      { event: "AssignedPodDelete", hint: deleteHint },
      { event: "NodeAdd", hint: nodeHint },
      { event: "NodeUpdate", hint: nodeHint },
    ];
  }

  /** Adds count(slot) to (key, value(slot)) for every node holding the key. */
  private spread(cx: CycleContext, into: TopologyCounts, keyId: number, counts: Int32Array, mult: number): void {
    if (keyId < 0) return;
    const t = cx.table;
    for (const r of cx.nodes) {
      const c = counts[r.slot] ?? 0;
      if (c === 0) continue;
      const v = t.label(r.slot, keyId);
      if (v !== 0) into.add(keyId, v, c * mult);
    }
  }

  preFilter(cx: CycleContext): PreFilterOutcome {
    const pod = cx.pod;
    if (pod.parseError !== undefined) return { status: unresolvable(`parsing pod: ${pod.parseError}`) };
    const t = cx.table;
    const nsLabels = cx.namespaceLabels;
    const existing = new TopologyCounts(cx);
    const affinity = new TopologyCounts(cx);
    const anti = new TopologyCounts(cx);
    // Existing pods' required anti-affinity terms that match the incoming pod.
    for (const g of cx.cache.terms.groups.values()) {
      if (g.kind !== TERM_REQUIRED_ANTI_AFFINITY || !g.term.matches(pod, nsLabels)) continue;
      this.spread(cx, existing, t.knownKeyId(g.term.topologyKey), g.counts, 1);
    }
    cx.work.ipaPreFilterPods += cx.cache.terms.podsWithRequiredAntiAffinity;
    const affinityTerms = pod.requiredAffinity.map((x) => mergeNamespaces(cx, x));
    const antiTerms = pod.requiredAntiAffinity.map((x) => mergeNamespaces(cx, x));
    if (affinityTerms.length > 0 || antiTerms.length > 0) cx.work.ipaPreFilterPods += cx.cache.pods.size;
    if (affinityTerms.length > 0) {
      // Existing pods that match ALL the incoming pod's affinity terms count under every term's key.
      let ns: ReadonlySet<string> | "all" = "all";
      let sel: LabelMatcher | undefined;
      for (const a of affinityTerms) {
        const tn = termNamespaces(a);
        if (tn !== "all") {
          const prev: ReadonlySet<string> | "all" = ns;
          ns = prev === "all" ? new Set(tn) : new Set([...prev].filter((x: string) => tn.has(x)));
        }
        sel =
          sel === undefined
            ? a.selector
            : sel.matchesNothing || a.selector.matchesNothing
              ? NOTHING
              : new LabelMatcher([...sel.requirements, ...a.selector.requirements]);
      }
      const entry = cx.cache.selectors.get(ns, sel as LabelMatcher, false);
      for (const a of affinityTerms) this.spread(cx, affinity, t.knownKeyId(a.topologyKey), entry.counts, 1);
    }
    for (const a of antiTerms) {
      const entry = cx.cache.selectors.get(termNamespaces(a), a.selector, false);
      this.spread(cx, anti, t.knownKeyId(a.topologyKey), entry.counts, 1);
    }
    if (existing.nonZero === 0 && affinityTerms.length === 0 && antiTerms.length === 0) return PREFILTER_SKIP;
    const selfMatch = affinityTerms.length > 0 && affinityTerms.every((a) => a.matches(pod, undefined));
    const st: FilterState = { affinityTerms, antiTerms, existing, affinity, anti, selfMatch };
    cx.state.set(this.name, st);
    this.writeFilter(cx, st);
    return PREFILTER_SUCCESS;
  }

  private writeFilter(cx: CycleContext, st: FilterState): void {
    const t = cx.table;
    const aff = st.affinityTerms.map((a) => t.knownKeyId(a.topologyKey));
    const anti = st.antiTerms.map((a) => t.knownKeyId(a.topologyKey));
    const affTables = aff.map((k) => st.affinity.table(k));
    const antiTables = anti.map((k) => st.anti.table(k));
    const prog = cx.prog;
    const base = prog.allocI(5 + 2 * (aff.length + anti.length + st.existing.keys.length));
    const pi = prog.pi;
    pi[base] = aff.length;
    pi[base + 1] = st.affinity.nonZero === 0 && st.selfMatch ? 1 : 0;
    pi[base + 2] = anti.length;
    pi[base + 3] = st.anti.nonZero > 0 ? 1 : 0;
    pi[base + 4] = st.existing.keys.length;
    let at = base + 5;
    aff.forEach((k, i) => {
      pi[at++] = k;
      pi[at++] = affTables[i] as number;
    });
    anti.forEach((k, i) => {
      pi[at++] = k;
      pi[at++] = antiTables[i] as number;
    });
    st.existing.keys.forEach((k, i) => {
      pi[at++] = k;
      pi[at++] = st.existing.tables[i] as number;
    });
    pi[P_FBASE + C_INTER_POD_AFFINITY] = base;
  }

  filterReasons(_cx: CycleContext, _slot: number, packed: number): string[] {
    const r = packed & REASON_MASK;
    return [r === 0 ? ERR_REASON_AFFINITY : r === 1 ? ERR_REASON_ANTI_AFFINITY : ERR_REASON_EXISTING_ANTI_AFFINITY];
  }

  /** preFilterState.updateWithPod (filtering.go). */
  private updateWithPod(cx: CycleContext, other: PodInfo, slot: number, mult: number): void {
    const st = cx.state.get(this.name) as FilterState | undefined;
    if (st === undefined) return;
    const t = cx.table;
    const nsLabels = cx.namespaceLabels;
    for (const term of other.requiredAntiAffinity) {
      if (term.matches(cx.pod, nsLabels)) {
        const k = t.knownKeyId(term.topologyKey);
        st.existing.add(k, t.label(slot, k), mult);
      }
    }
    if (st.affinityTerms.length > 0 && st.affinityTerms.every((a) => a.matches(other, undefined))) {
      for (const a of st.affinityTerms) {
        const k = t.knownKeyId(a.topologyKey);
        st.affinity.add(k, t.label(slot, k), mult);
      }
    }
    for (const a of st.antiTerms) {
      if (a.matches(other, undefined)) {
        const k = t.knownKeyId(a.topologyKey);
        st.anti.add(k, t.label(slot, k), mult);
      }
    }
    this.writeFilter(cx, st);
  }

  addPod(cx: CycleContext, pod: PodInfo, slot: number): void {
    this.updateWithPod(cx, pod, slot, 1);
  }

  removePod(cx: CycleContext, pod: PodInfo, slot: number): void {
    this.updateWithPod(cx, pod, slot, -1);
  }

  // -------------------------------------------------------------------------------------------
  // Score (scoring.go)

  /** Skip is certain when nothing can contribute: no preferred terms, no scoring terms on existing pods. */
  wouldSkipPreScore(cx: CycleContext): boolean {
    const pod = cx.pod;
    if (pod.parseError !== undefined) return false;
    if (pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0) return false;
    if (this.args.ignorePreferredTermsOfExistingPods) return true;
    for (const g of cx.cache.terms.groups.values()) {
      if (g.kind === TERM_REQUIRED_ANTI_AFFINITY) continue;
      if (g.kind === TERM_REQUIRED_AFFINITY && this.args.hardPodAffinityWeight <= 0) continue;
      return false;
    }
    return true;
  }

  preScore(cx: CycleContext): Status {
    const pod = cx.pod;
    if (pod.parseError !== undefined) return errorStatus(`parsing pod: ${pod.parseError}`);
    const hasConstraints = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    if (this.args.ignorePreferredTermsOfExistingPods && !hasConstraints) return SKIP;
    const t = cx.table;
    const nsLabels = cx.namespaceLabels;
    const prog = cx.prog;
    const keys: number[] = [];
    const tables: number[] = [];
    let produced = false;
    const tableFor = (k: number): number => {
      const i = keys.indexOf(k);
      if (i >= 0) return tables[i] as number;
      const off = prog.allocF(t.valueSpan(k));
      keys.push(k);
      tables.push(off);
      return off;
    };
    const apply = (keyName: string, counts: Int32Array, weight: number) => {
      const k = t.knownKeyId(keyName);
      if (k < 0 || weight === 0) {
        if (k >= 0)
          for (const r of cx.nodes) if ((counts[r.slot] ?? 0) > 0 && t.label(r.slot, k) !== 0) produced = true;
        return;
      }
      for (const r of cx.nodes) {
        const c = counts[r.slot] ?? 0;
        if (c === 0) continue;
        const v = t.label(r.slot, k);
        if (v === 0) continue;
        const off = tableFor(k);
        prog.pf[off + v] = (prog.pf[off + v] as number) + weight * c;
        produced = true;
      }
    };
    // The incoming pod's preferred terms against existing pods.
    for (const term of pod.preferredAffinity) {
      const m = mergeNamespaces(cx, term);
      apply(m.topologyKey, cx.cache.selectors.get(termNamespaces(m), m.selector, false).counts, term.weight);
    }
    for (const term of pod.preferredAntiAffinity) {
      const m = mergeNamespaces(cx, term);
      apply(m.topologyKey, cx.cache.selectors.get(termNamespaces(m), m.selector, false).counts, -term.weight);
    }
    // Existing pods' terms against the incoming pod.
    for (const g of cx.cache.terms.groups.values() as Iterable<TermGroup>) {
      if (g.kind === TERM_REQUIRED_ANTI_AFFINITY) continue;
      if (g.kind === TERM_REQUIRED_AFFINITY && this.args.hardPodAffinityWeight <= 0) continue;
      if (!g.term.matches(pod, nsLabels)) continue;
      const w =
        g.kind === TERM_REQUIRED_AFFINITY
          ? this.args.hardPodAffinityWeight
          : g.kind === TERM_PREFERRED_AFFINITY
            ? g.term.weight
            : g.kind === TERM_PREFERRED_ANTI_AFFINITY
              ? -g.term.weight
              : 0;
      apply(g.term.topologyKey, g.counts, w);
    }
    cx.work.ipaPreScorePods += hasConstraints ? cx.cache.pods.size : cx.cache.terms.podsWithAffinity;
    if (!produced) return SKIP;
    const base = prog.allocI(1 + 2 * keys.length);
    prog.pi[base] = keys.length;
    keys.forEach((k, i) => {
      prog.pi[base + 1 + 2 * i] = k;
      prog.pi[base + 2 + 2 * i] = tables[i] as number;
    });
    prog.pi[P_SBASE + C_INTER_POD_AFFINITY] = base;
    return SUCCESS;
  }

  /** NormalizeScore: int64(100 × ((s − min) / (max − min))) over the real extremes, 0 when flat. */
  normalize(_cx: CycleContext, scores: Float64Array, off: number, n: number): void {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const s = scores[off + i] as number;
      if (s > max) max = s;
      if (s < min) min = s;
    }
    const diff = max - min;
    for (let i = 0; i < n; i++) {
      scores[off + i] = diff > 0 ? Math.trunc(100 * (((scores[off + i] as number) - min) / diff)) : 0;
    }
  }
}
