/**
 * Incremental indexes over the pods assigned (or assumed) to nodes, so that PodTopologySpread
 * and InterPodAffinity do not walk every pod per cycle the way upstream does:
 *
 * - SelectorIndex: for a (namespaces, label selector) pair, the number of matching pods on
 *   every node slot, kept current as pods come and go (created on first use, evicted LRU).
 * - TermIndex: the (anti-)affinity terms of existing pods, grouped by identical term, with the
 *   number of pods carrying each group on every node slot.
 *
 * The per-slot counts are exactly what upstream's per-pod walks add up, so results are equal.
 */
import type { LabelMatcher } from "../../api/labels.js";
import type { AffinityTerm, PodInfo } from "./pod-info.js";

/** Counts of pods matching one selector, per node slot. */
export class SelectorEntry {
  counts: Int32Array;
  total = 0;
  lastUse = 0;

  constructor(
    readonly key: string,
    /** Namespaces a pod must be in; "all" for any. */
    readonly namespaces: ReadonlySet<string> | "all",
    readonly matcher: LabelMatcher,
    /** PodTopologySpread skips terminating pods (countPodsMatchSelector); affinity does not. */
    readonly skipTerminating: boolean,
    cap: number,
  ) {
    this.counts = new Int32Array(cap);
  }

  accepts(info: PodInfo): boolean {
    if (this.skipTerminating && info.terminating) return false;
    if (this.namespaces !== "all" && !this.namespaces.has(info.namespace)) return false;
    return this.matcher.matches(info.labels);
  }

  ensure(cap: number): void {
    if (this.counts.length < cap) {
      const c = new Int32Array(cap);
      c.set(this.counts);
      this.counts = c;
    }
  }
}

/** A pod attached to a node slot, as the indexes see it. */
export interface AttachedPod {
  info: PodInfo;
  slot: number;
}

export class SelectorIndex {
  private readonly entries = new Map<string, SelectorEntry>();
  private readonly byNs = new Map<string, SelectorEntry[]>();
  private readonly anyNs: SelectorEntry[] = [];
  private clock = 0;

  constructor(
    private readonly attached: () => Iterable<AttachedPod>,
    private readonly capacity: () => number,
    private readonly limit = 512,
  ) {}

  /** The entry for (namespaces, selector), built from the current pods when new. */
  get(namespaces: ReadonlySet<string> | "all", matcher: LabelMatcher, skipTerminating: boolean): SelectorEntry {
    const nsKey = namespaces === "all" ? "*" : [...namespaces].sort().join(",");
    const key = `${skipTerminating ? "s" : "a"}|${nsKey}|${matcher.matchesNothing ? "<none>" : matcher.toString()}`;
    let e = this.entries.get(key);
    const cap = this.capacity();
    if (e === undefined) {
      if (this.entries.size >= this.limit) this.evict();
      e = new SelectorEntry(key, namespaces, matcher, skipTerminating, cap);
      for (const a of this.attached()) {
        if (e.accepts(a.info)) {
          e.counts[a.slot] = (e.counts[a.slot] as number) + 1;
          e.total++;
        }
      }
      this.entries.set(key, e);
      if (namespaces === "all") this.anyNs.push(e);
      else for (const ns of namespaces) this.listFor(ns).push(e);
    }
    e.ensure(cap);
    e.lastUse = ++this.clock;
    return e;
  }

  private listFor(ns: string): SelectorEntry[] {
    let l = this.byNs.get(ns);
    if (l === undefined) {
      l = [];
      this.byNs.set(ns, l);
    }
    return l;
  }

  private evict(): void {
    let victim: SelectorEntry | undefined;
    for (const e of this.entries.values()) if (victim === undefined || e.lastUse < victim.lastUse) victim = e;
    if (victim === undefined) return;
    this.entries.delete(victim.key);
    const drop = (l: SelectorEntry[]) => {
      const i = l.indexOf(victim as SelectorEntry);
      if (i >= 0) l.splice(i, 1);
    };
    if (victim.namespaces === "all") drop(this.anyNs);
    else for (const ns of victim.namespaces) drop(this.listFor(ns));
  }

  /** A pod joined (delta 1) or left (delta −1) a slot. */
  update(info: PodInfo, slot: number, delta: number): void {
    const apply = (e: SelectorEntry) => {
      if (!e.accepts(info)) return;
      e.ensure(slot + 1);
      e.counts[slot] = (e.counts[slot] as number) + delta;
      e.total += delta;
    };
    const l = this.byNs.get(info.namespace);
    if (l !== undefined) for (const e of l) apply(e);
    for (const e of this.anyNs) apply(e);
  }

  /** Every slot's count moves when a node is removed; the slot is then reused zeroed. */
  clearSlot(slot: number): void {
    for (const e of this.entries.values()) {
      if (slot < e.counts.length) {
        e.total -= e.counts[slot] as number;
        e.counts[slot] = 0;
      }
    }
  }
}

export const TERM_REQUIRED_AFFINITY = 0;
export const TERM_REQUIRED_ANTI_AFFINITY = 1;
export const TERM_PREFERRED_AFFINITY = 2;
export const TERM_PREFERRED_ANTI_AFFINITY = 3;

/** Existing pods' identical terms of one kind, with how many carry them per slot. */
export class TermGroup {
  counts: Int32Array;
  total = 0;

  constructor(
    readonly key: string,
    readonly kind: number,
    readonly term: AffinityTerm,
    cap: number,
  ) {
    this.counts = new Int32Array(cap);
  }
}

export class TermIndex {
  /** Groups in creation order (deterministic iteration). */
  readonly groups = new Map<string, TermGroup>();
  /** Pods with any affinity term / with required anti-affinity (upstream's visit counts). */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;

  constructor(private readonly capacity: () => number) {}

  update(info: PodInfo, slot: number, delta: number): void {
    if (!info.hasAffinity) return;
    this.podsWithAffinity += delta;
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += delta;
    this.apply(TERM_REQUIRED_AFFINITY, info.requiredAffinity, slot, delta);
    this.apply(TERM_REQUIRED_ANTI_AFFINITY, info.requiredAntiAffinity, slot, delta);
    this.apply(TERM_PREFERRED_AFFINITY, info.preferredAffinity, slot, delta);
    this.apply(TERM_PREFERRED_ANTI_AFFINITY, info.preferredAntiAffinity, slot, delta);
  }

  private apply(kind: number, terms: readonly AffinityTerm[], slot: number, delta: number): void {
    for (const t of terms) {
      const key = `${kind}|${t.canonical}`;
      let g = this.groups.get(key);
      if (g === undefined) {
        if (delta < 0) continue;
        g = new TermGroup(key, kind, t, this.capacity());
        this.groups.set(key, g);
      }
      if (g.counts.length <= slot) {
        const c = new Int32Array(Math.max(this.capacity(), slot + 1));
        c.set(g.counts);
        g.counts = c;
      }
      g.counts[slot] = (g.counts[slot] as number) + delta;
      g.total += delta;
      if (g.total === 0) this.groups.delete(key);
    }
  }
}
