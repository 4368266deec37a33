/**
 * Field selectors (`?fieldSelector=spec.nodeName=node-7`).
 *
 * Parsing follows k8s.io/apimachinery/pkg/fields/selector.go: terms separated by "," (a
 * backslash escapes ",", "=" and "\" inside values), each `field!=value`, `field==value` or
 * `field=value` split at the first operator found scanning left to right (trying "!=", then
 * "==", then "=" at each position); "" selects everything. Only equality and inequality exist.
 *
 * Which fields each kind supports comes from the registry strategies' ToSelectableFields /
 * GetAttrs (pkg/registry/core/pod/strategy.go, node/strategy.go, event/strategy.go,
 * namespace/strategy.go, apps replicaset, batch job): every kind has metadata.name, namespaced
 * kinds also metadata.namespace. kube-apiserver rejects other fields with
 * "field label not supported"; we do the same when the kind is given.
 */
import { InputError } from "../engine/errors.js";
import { isNamespacedKind } from "./resources.js";
import type { KubeObject } from "./types/index.js";

/** One term of a field selector. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** Reads one selectable field of an object as the string the API compares. */
type FieldGetter = (obj: KubeObject) => string;

function str(v: string | undefined): string {
  return v ?? "";
}

const META_FIELDS: Record<string, FieldGetter> = {
  "metadata.name": (o) => str(o.metadata.name),
};
const NAMESPACED_META_FIELDS: Record<string, FieldGetter> = {
  ...META_FIELDS,
  "metadata.namespace": (o) => str(o.metadata.namespace),
};

/** Kind-specific selectable fields (beyond metadata.name / metadata.namespace). */
const KIND_FIELDS: Record<string, Record<string, FieldGetter>> = {
  Pod: {
    "spec.nodeName": (o) => (o.kind === "Pod" ? str(o.spec.nodeName) : ""),
    "spec.restartPolicy": (o) => (o.kind === "Pod" ? str(o.spec.restartPolicy) : ""),
    "spec.schedulerName": (o) => (o.kind === "Pod" ? str(o.spec.schedulerName) : ""),
    "spec.serviceAccountName": (o) => (o.kind === "Pod" ? str(o.spec.serviceAccountName) : ""),
    "spec.hostNetwork": (o) => (o.kind === "Pod" && o.spec.hostNetwork === true ? "true" : "false"),
    "status.phase": (o) => (o.kind === "Pod" ? str(o.status?.phase) : ""),
    // Upstream reads status.podIPs[0]; podIP is the same address.
    "status.podIP": (o) => (o.kind === "Pod" ? str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP) : ""),
    "status.nominatedNodeName": (o) => (o.kind === "Pod" ? str(o.status?.nominatedNodeName) : ""),
  },
  Node: {
    "spec.unschedulable": (o) => (o.kind === "Node" && o.spec?.unschedulable === true ? "true" : "false"),
  },
  Namespace: {
    "status.phase": (o) => (o.kind === "Namespace" ? str(o.status?.phase) : ""),
  },
  Event: {
    "involvedObject.kind": (o) => (o.kind === "Event" ? str(o.involvedObject.kind) : ""),
    "involvedObject.namespace": (o) => (o.kind === "Event" ? str(o.involvedObject.namespace) : ""),
    "involvedObject.name": (o) => (o.kind === "Event" ? str(o.involvedObject.name) : ""),
    "involvedObject.uid": (o) => (o.kind === "Event" ? str(o.involvedObject.uid) : ""),
    "involvedObject.apiVersion": (o) => (o.kind === "Event" ? str(o.involvedObject.apiVersion) : ""),
    "involvedObject.resourceVersion": (o) => (o.kind === "Event" ? str(o.involvedObject.resourceVersion) : ""),
    "involvedObject.fieldPath": (o) => (o.kind === "Event" ? str(o.involvedObject.fieldPath) : ""),
    reason: (o) => (o.kind === "Event" ? str(o.reason) : ""),
    reportingComponent: (o) => (o.kind === "Event" ? str(o.reportingComponent) : ""),
    // source.component, falling back to the reporting controller (event/strategy.go).
    source: (o) => (o.kind === "Event" ? str(o.source?.component || o.reportingComponent) : ""),
    type: (o) => (o.kind === "Event" ? str(o.type) : ""),
  },
  ReplicaSet: {
    "status.replicas": (o) => (o.kind === "ReplicaSet" ? String(o.status?.replicas ?? 0) : ""),
  },
  Job: {
    "status.successful": (o) => (o.kind === "Job" ? String(o.status?.succeeded ?? 0) : ""),
  },
};

const fieldTables = new Map<string, Record<string, FieldGetter>>();

function fieldsOf(kind: string): Record<string, FieldGetter> {
  let t = fieldTables.get(kind);
  if (t === undefined) {
    t = { ...(isNamespacedKind(kind) ? NAMESPACED_META_FIELDS : META_FIELDS), ...(KIND_FIELDS[kind] ?? {}) };
    fieldTables.set(kind, t);
  }
  return t;
}

/** The field names a kind supports in field selectors, sorted. */
export function selectableFields(kind: string): string[] {
  return Object.keys(fieldsOf(kind)).sort();
}

/** The value of a selectable field on an object, or undefined when the kind does not support it. */
export function fieldValue(obj: KubeObject, field: string): string | undefined {
  const get = fieldsOf(obj.kind)[field];
  return get === undefined ? undefined : get(obj);
}

/** A compiled field selector. */
export class FieldMatcher {
  /** The terms, sorted as upstream sorts the raw terms before parsing. */
  readonly requirements: readonly FieldRequirement[];
  private readonly getters = new Map<string, (FieldGetter | undefined)[]>();

  /** Builds a matcher from parsed terms. */
  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = requirements;
  }

  /** True when the selector selects everything. */
  get empty(): boolean {
    return this.requirements.length === 0;
  }

  /** Whether an object satisfies every term. A field its kind lacks reads as "" (fields.Set.Get). */
  matches(obj: KubeObject): boolean {
    const n = this.requirements.length;
    if (n === 0) return true;
    let getters = this.getters.get(obj.kind);
    if (getters === undefined) {
      const table = fieldsOf(obj.kind);
      getters = this.requirements.map((r) => table[r.field]);
      this.getters.set(obj.kind, getters);
    }
    for (let i = 0; i < n; i++) {
      const r = this.requirements[i] as FieldRequirement;
      const get = getters[i];
      const v = get === undefined ? "" : get(obj);
      if ((v === r.value) !== (r.operator === "=")) return false;
    }
    return true;
  }

  /** Whether a plain field → value map satisfies every term (absent fields read as ""). */
  matchesFields(fields: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) {
      const v = Object.hasOwn(fields, r.field) ? (fields[r.field] as string) : "";
      if ((v === r.value) !== (r.operator === "=")) return false;
    }
    return true;
  }

  /**
   * `RequiresExactMatch`: the value this selector requires for `field` (from the first `=`
   * term on it), or undefined. Watch caches index watchers by it, e.g. kubelets'
   * `spec.nodeName=<node>`.
   */
  requiredValue(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator === "=") return r.value;
    return undefined;
  }

  /** The selector text with values escaped (`fields.Selector.String()`). */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }
}

/** Escapes "\", "," and "=" in a field selector value (`fields.EscapeValue`). */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function selectorError(path: string, text: string, why: string): InputError {
  return new InputError(path, `a field selector (${why})`, text);
}

/** Splits on unescaped commas, keeping escapes in the terms (`splitTerms`). */
function splitTerms(s: string): string[] {
  if (s === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ["!=", "==", "="] as const;

/** Splits a term at the first operator (`splitTerm`). */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Removes escapes from a value; unescaped "," or "=" and unknown escapes are errors (`UnescapeValue`). */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") throw new Error(`invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === "\\") {
      inSlash = true;
    } else if (c === "," || c === "=") {
      throw new Error(`unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new Error("invalid escape sequence: \\");
  return out;
}

/**
 * Parses a field selector (`fields.ParseSelector`). When `kind` is given, a field the kind
 * does not support is an error ("field label not supported: x"), as kube-apiserver returns.
 * Throws InputError naming the text.
 */
export function parseFieldSelector(text: string, kind?: string, path = ""): FieldMatcher {
  const parts = splitTerms(text).sort();
  const reqs: FieldRequirement[] = [];
  const table = kind === undefined ? undefined : fieldsOf(kind);
  for (const part of parts) {
    if (part === "") continue;
    const split = splitTerm(part);
    if (split === undefined) throw selectorError(path, text, `invalid selector: can't understand '${part}'`);
    const [field, op, raw] = split;
    let value: string;
    try {
      value = unescapeValue(raw);
    } catch (e) {
      throw selectorError(path, text, (e as Error).message);
    }
    if (table !== undefined && table[field] === undefined) {
      throw selectorError(path, text, `field label not supported: ${field}`);
    }
    reqs.push({ field, operator: op === "!=" ? "!=" : "=", value });
  }
  return new FieldMatcher(reqs);
}

/**
 * The value a field selector requires for `field` (e.g. "node-7" for `spec.nodeName=node-7`
 * and field "spec.nodeName"), or undefined when it does not pin that field to one value.
 */
export function requiredFieldValue(selector: string | FieldMatcher, field: string): string | undefined {
  const m = typeof selector === "string" ? parseFieldSelector(selector) : selector;
  return m.requiredValue(field);
}
