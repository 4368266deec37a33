/**
 * Node selectors and node affinity, compiled once per pod and matched per node.
 *
 * Semantics follow k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
 * (kube-scheduler.md §4.6):
 * - `nodeSelectorTerms` are ORed; inside a term, matchExpressions and matchFields are ANDed;
 * - a term with neither expressions nor fields matches nothing, and so does an empty list;
 * - expressions: In, NotIn (true when the label is absent), Exists, DoesNotExist (true when
 *   absent), Gt, Lt (label and value parsed as int64; false when the label is not an integer);
 * - a requirement that fails NewRequirement's checks (bad operator, In without values, Gt
 *   with a non-integer value, invalid key or value) makes its term match nothing; the other
 *   terms still count (LazyErrorNodeSelector);
 * - matchFields: only `metadata.name` has a value; In and NotIn with exactly one value; and,
 *   as upstream, fields are only checked when the node has a name;
 * - the pod's `spec.nodeSelector` map must match too (`GetRequiredNodeAffinity`);
 * - preferred terms: weight 0 or an empty preference are skipped; the score is the sum of the
 *   weights of matching terms (`PreferredSchedulingTerms.Score`).
 */
import {
  LabelMatcher,
  type LabelOperator,
  type LabelRequirement,
  selectorFromSet,
  validateRequirement,
} from "./labels.js";
import type {
  Node,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PreferredSchedulingTerm,
} from "./types/core.js";
import { notSupported } from "./validation.js";

/** Node selector operators (core/v1 NodeSelectorOperator) as label-requirement operators. */
export const NODE_OPS: Readonly<Record<string, LabelOperator>> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
  Gt: "gt",
  Lt: "lt",
};
const VALID_OPS = Object.keys(NODE_OPS);

/** The field name node selectors may use in matchFields. */
export const NODE_NAME_FIELD = "metadata.name";

interface FieldTerm {
  readonly key: string;
  readonly equal: boolean;
  readonly value: string;
}

interface CompiledTerm {
  readonly labels: LabelMatcher | undefined;
  readonly fields: readonly FieldTerm[] | undefined;
  readonly errors: readonly string[];
}

function isEmptyTerm(term: NodeSelectorTerm): boolean {
  return (term.matchExpressions?.length ?? 0) === 0 && (term.matchFields?.length ?? 0) === 0;
}

function compileExpressions(exprs: readonly NodeSelectorRequirement[], path: string, errors: string[]): LabelMatcher {
  const reqs: LabelRequirement[] = [];
  for (const [i, e] of exprs.entries()) {
    const p = `${path}[${i}]`;
    const op = NODE_OPS[e.operator];
    if (op === undefined) {
      errors.push(String(notSupported(`${p}.operator`, e.operator, VALID_OPS)));
      continue;
    }
    const r = { key: e.key, operator: op, values: [...(e.values ?? [])] };
    const errs = validateRequirement(r, p);
    if (errs.length > 0) errors.push(...errs.map(String));
    else reqs.push(r);
  }
  return new LabelMatcher(reqs);
}

function compileFields(exprs: readonly NodeSelectorRequirement[], path: string, errors: string[]): FieldTerm[] {
  const out: FieldTerm[] = [];
  for (const [i, e] of exprs.entries()) {
    const p = `${path}[${i}]`;
    if (e.operator !== "In" && e.operator !== "NotIn") {
      errors.push(String(notSupported(`${p}.operator`, e.operator, ["In", "NotIn"])));
      continue;
    }
    const values = e.values ?? [];
    if (values.length !== 1) {
      errors.push(`${p}.values: Invalid value: ${JSON.stringify(values)}: must have one element`);
      continue;
    }
    out.push({ key: e.key, equal: e.operator === "In", value: values[0] as string });
  }
  return out;
}

function compileTerm(term: NodeSelectorTerm, path: string): CompiledTerm {
  const errors: string[] = [];
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  const labels = exprs.length > 0 ? compileExpressions(exprs, `${path}.matchExpressions`, errors) : undefined;
  const f = fields.length > 0 ? compileFields(fields, `${path}.matchFields`, errors) : undefined;
  return { labels, fields: f, errors };
}

function termMatches(t: CompiledTerm, node: Node): boolean {
  if (t.errors.length > 0) return false;
  if (t.labels !== undefined && !t.labels.matches(node.metadata.labels)) return false;
  const name = node.metadata.name ?? "";
  if (t.fields !== undefined && name !== "") {
    for (const f of t.fields) {
      const v = f.key === NODE_NAME_FIELD ? name : "";
      if ((v === f.value) !== f.equal) return false;
    }
  }
  return true;
}

/** A compiled `v1.NodeSelector` (terms ORed). */
export class NodeSelectorMatcher {
  private readonly terms: readonly CompiledTerm[];
  /** Problems found while compiling (terms with errors never match). */
  readonly errors: readonly string[];

  /** Compiles the selector; empty terms are dropped since they match nothing. */
  constructor(selector: NodeSelector | undefined, path = "nodeSelectorTerms") {
    const terms: CompiledTerm[] = [];
    (selector?.nodeSelectorTerms ?? []).forEach((term, i) => {
      if (!isEmptyTerm(term)) terms.push(compileTerm(term, `${path}[${i}]`));
    });
    this.terms = terms;
    this.errors = terms.flatMap((t) => t.errors);
  }

  /** Whether any term matches the node. */
  matches(node: Node): boolean {
    for (const t of this.terms) if (termMatches(t, node)) return true;
    return false;
  }
}

/** Compiles a `v1.NodeSelector`. */
export function compileNodeSelector(selector: NodeSelector | undefined): NodeSelectorMatcher {
  return new NodeSelectorMatcher(selector);
}

/** Whether one `NodeSelectorTerm` matches a node (uncompiled convenience). */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  return !isEmptyTerm(term) && termMatches(compileTerm(term, "term"), node);
}

/** Whether one label requirement of a node selector matches a label set (uncompiled convenience). */
export function nodeSelectorRequirementMatches(
  req: NodeSelectorRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const errors: string[] = [];
  const m = compileExpressions([req], "matchExpressions", errors);
  return errors.length === 0 && m.matches(labels);
}

/**
 * The required part of a pod's node placement: `spec.nodeSelector` AND required node affinity
 * (`RequiredNodeAffinity` / `GetRequiredNodeAffinity`).
 */
export class RequiredNodeAffinity {
  private readonly selector: LabelMatcher | undefined;
  private readonly affinity: NodeSelectorMatcher | undefined;

  /** Compiles the pod's nodeSelector and requiredDuringSchedulingIgnoredDuringExecution. */
  constructor(pod: Pod) {
    const ns = pod.spec.nodeSelector;
    this.selector = ns !== undefined && Object.keys(ns).length > 0 ? selectorFromSet(ns) : undefined;
    const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.affinity = required === undefined ? undefined : new NodeSelectorMatcher(required);
  }

  /** True when the pod has neither a nodeSelector nor required node affinity (NodeAffinity PreFilter skips). */
  get empty(): boolean {
    return this.selector === undefined && this.affinity === undefined;
  }

  /** Whether the node satisfies both. */
  matches(node: Node): boolean {
    if (this.selector !== undefined && !this.selector.matches(node.metadata.labels)) return false;
    return this.affinity === undefined || this.affinity.matches(node);
  }
}

const requiredCache = new WeakMap<Pod, RequiredNodeAffinity>();

/** The compiled required node affinity of a pod, cached per (immutable) pod object. */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  let r = requiredCache.get(pod);
  if (r === undefined) {
    r = new RequiredNodeAffinity(pod);
    requiredCache.set(pod, r);
  }
  return r;
}

/** Whether the node matches the pod's nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinityTerms(pod: Pod, node: Node): boolean {
  return requiredNodeAffinity(pod).matches(node);
}

/** Compiled preferred scheduling terms (`PreferredSchedulingTerms`). */
export class PreferredSchedulingTerms {
  private readonly terms: readonly { term: CompiledTerm; weight: number }[];
  /** Problems in the terms; upstream fails the pod's scoring when there are any. */
  readonly errors: readonly string[];

  /** Compiles the terms, skipping those with weight 0 or an empty preference. */
  constructor(terms: readonly PreferredSchedulingTerm[] | undefined) {
    const out: { term: CompiledTerm; weight: number }[] = [];
    const errors: string[] = [];
    (terms ?? []).forEach((t, i) => {
      if (t.weight === 0 || isEmptyTerm(t.preference)) return;
      const term = compileTerm(t.preference, `[${i}].preference`);
      if (term.errors.length > 0) errors.push(...term.errors);
      else out.push({ term, weight: t.weight });
    });
    this.terms = out;
    this.errors = errors;
  }

  /** True when no term can contribute (NodeAffinity PreScore skips). */
  get empty(): boolean {
    return this.terms.length === 0;
  }

  /** Sum of the weights of the terms that match the node. */
  score(node: Node): number {
    let s = 0;
    for (const t of this.terms) if (termMatches(t.term, node)) s += t.weight;
    return s;
  }
}

/** Compiles a pod's preferred node affinity terms. */
export function compilePreferredSchedulingTerms(
  terms: readonly PreferredSchedulingTerm[] | undefined,
): PreferredSchedulingTerms {
  return new PreferredSchedulingTerms(terms);
}

/** The preferred node affinity score of a node for a pod (uncompiled convenience). */
export function preferredSchedulingScore(pod: Pod, node: Node): number {
  return new PreferredSchedulingTerms(
    pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
  ).score(node);
}

/**
 * Node names a pod's required node affinity pins it to (NodeAffinity PreFilter result), sorted:
 * undefined when some term has no `metadata.name In` field (every node stays in play), an
 * empty array when the terms conflict (no node can match).
 */
export function requiredNodeNames(pod: Pod): string[] | undefined {
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return undefined;
  let union: Set<string> | undefined;
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const f of t.matchFields ?? []) {
      if (f.key !== NODE_NAME_FIELD || f.operator !== "In") continue;
      const s = new Set(f.values ?? []);
      names = names === undefined ? s : new Set([...names].filter((n) => s.has(n)));
    }
    if (names === undefined) return undefined;
    union = union ?? new Set<string>();
    for (const n of names) union.add(n);
  }
  return union === undefined ? undefined : [...union].sort();
}
