// Validation and defaulting of an APF configuration given in the shape of the
// flowcontrol.apiserver.k8s.io/v1 objects. Rules follow upstream
// pkg/apis/flowcontrol/validation/validation.go and the v1 defaults (queues 64, handSize 8,
// queueLengthLimit 50, nominalConcurrencyShares 30, lendablePercent 0, matchingPrecedence 1000).
// Wrong input is an InputError naming the field path.
import { Described, InputError } from "../../engine/errors.js";
import {
  CATCH_ALL,
  defaultApfConfig,
  EXEMPT,
  mandatoryFlowSchemas,
  mandatoryPriorityLevels,
  suggestedFlowSchemas,
  suggestedPriorityLevels,
} from "./bootstrap.js";
import { MAX_HASH_BITS, requiredEntropyBits } from "./shuffle-sharding.js";
import type { FlowSchema, PriorityLevelConfiguration } from "./types.js";

/** A priority level after validation and defaulting. */
export interface ResolvedLevel {
  name: string;
  exempt: boolean;
  nominalConcurrencyShares: number;
  lendablePercent: number;
  /** undefined: may borrow up to the server concurrency limit. */
  borrowingLimitPercent: number | undefined;
  /** undefined: no queuing (exempt, or limitResponse Reject). */
  queuing: { queues: number; handSize: number; queueLengthLimit: number } | undefined;
}

export interface ResolvedSubject {
  kind: "User" | "Group" | "ServiceAccount";
  /** User or group name, or service account name; "*" matches all. */
  name: string;
  /** Service accounts only. */
  namespace: string;
}

export interface ResolvedResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  clusterScope: boolean;
  namespaces: string[];
}

export interface ResolvedNonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface ResolvedRule {
  subjects: ResolvedSubject[];
  resourceRules: ResolvedResourceRule[];
  nonResourceRules: ResolvedNonResourceRule[];
}

export interface ResolvedFlowSchema {
  name: string;
  priorityLevel: string;
  matchingPrecedence: number;
  distinguisher: "ByUser" | "ByNamespace" | undefined;
  rules: ResolvedRule[];
}

export interface ResolvedApfConfig {
  levels: ResolvedLevel[];
  /** In matching order: increasing precedence, ties by name. */
  flowSchemas: ResolvedFlowSchema[];
}

/** Upstream validation limit on the number of queues of one priority level. */
const MAX_QUEUES = 10_000_000;
const NAME = /^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$/;

/**
 * Validates and defaults an APF configuration. `input` is `undefined` (the default bootstrap
 * configuration) or a map with optional `priorityLevels` and `flowSchemas` lists; a list that is
 * given replaces the suggested objects, and the mandatory objects (exempt, catch-all) are
 * supplied when missing, as kube-apiserver does (suggested flow schemas whose level is not
 * configured are dropped). `path` prefixes error paths.
 */
export function resolveApfConfig(input: unknown, path = ""): ResolvedApfConfig {
  const at = (k: string) => (path === "" ? k : `${path}.${k}`);
  let pls: unknown[];
  let fss: unknown[];
  if (input === undefined) {
    const d = defaultApfConfig();
    pls = d.priorityLevels;
    fss = d.flowSchemas;
  } else {
    const m = asMap(input, path);
    known(m, ["priorityLevels", "flowSchemas"], path);
    pls = m.priorityLevels === undefined ? suggestedPriorityLevels() : asList(m.priorityLevels, at("priorityLevels"));
    pls = withMandatory(pls, mandatoryPriorityLevels());
    if (m.flowSchemas === undefined) {
      // Suggested schemas whose level is not configured are dropped, as upstream ignores a
      // dangling flow schema; an explicit dangling reference is an error below.
      const names = new Set(pls.map((pl) => nameOf(pl)));
      fss = suggestedFlowSchemas().filter((fs) => names.has(fs.spec.priorityLevelConfiguration.name));
    } else {
      fss = asList(m.flowSchemas, at("flowSchemas"));
    }
    fss = withMandatory(fss, mandatoryFlowSchemas());
  }
  const levels: ResolvedLevel[] = [];
  const levelNames = new Set<string>();
  pls.forEach((pl, i) => {
    const p = `${at("priorityLevels")}[${i}]`;
    const level = resolveLevel(pl, p);
    if (levelNames.has(level.name)) {
      throw new InputError(`${p}.metadata.name`, "a name not used by another priority level", level.name);
    }
    levelNames.add(level.name);
    levels.push(level);
  });
  if (levels.reduce((s, l) => s + l.nominalConcurrencyShares, 0) <= 0) {
    throw new InputError(at("priorityLevels"), "at least one priority level with nominalConcurrencyShares > 0", pls);
  }
  const schemas: ResolvedFlowSchema[] = [];
  const schemaNames = new Set<string>();
  fss.forEach((fs, i) => {
    const p = `${at("flowSchemas")}[${i}]`;
    const s = resolveFlowSchema(fs, p, levelNames);
    if (schemaNames.has(s.name)) {
      throw new InputError(`${p}.metadata.name`, "a name not used by another flow schema", s.name);
    }
    schemaNames.add(s.name);
    schemas.push(s);
  });
  // apihelpers.FlowSchemaSequence: increasing matchingPrecedence, then name.
  schemas.sort((a, b) =>
    a.matchingPrecedence !== b.matchingPrecedence
      ? a.matchingPrecedence - b.matchingPrecedence
      : a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0,
  );
  return { levels, flowSchemas: schemas };
}

/** Appends mandatory objects whose names are missing. */
function withMandatory(list: unknown[], mandatory: (PriorityLevelConfiguration | FlowSchema)[]): unknown[] {
  const names = new Set(list.map((o) => nameOf(o)));
  return [...list, ...mandatory.filter((m) => !names.has(m.metadata.name))];
}

function nameOf(o: unknown): unknown {
  if (o === null || typeof o !== "object") return undefined;
  const meta = (o as Record<string, unknown>).metadata;
  if (meta === null || typeof meta !== "object") return undefined;
  return (meta as Record<string, unknown>).name;
}

function resolveLevel(input: unknown, path: string): ResolvedLevel {
  const m = asMap(input, path);
  known(m, ["apiVersion", "kind", "metadata", "spec"], path);
  const name = metadataName(m, path);
  const spec = asMap(m.spec, `${path}.spec`);
  known(spec, ["type", "limited", "exempt"], `${path}.spec`);
  const type = oneOf(spec.type, ["Exempt", "Limited"] as const, `${path}.spec.type`);
  // Upstream does not let a level switch between exempt and limited: the name decides.
  if ((type === "Exempt") !== (name === EXEMPT)) {
    throw new InputError(
      `${path}.spec.type`,
      name === EXEMPT ? `"Exempt" for the priority level named "exempt"` : `"Limited" (only "exempt" is Exempt)`,
      type,
    );
  }
  if (type === "Exempt") {
    if (spec.limited !== undefined) forbidden(`${path}.spec.limited`, "spec.type Exempt");
    const e = spec.exempt === undefined ? {} : asMap(spec.exempt, `${path}.spec.exempt`);
    known(e, ["nominalConcurrencyShares", "lendablePercent"], `${path}.spec.exempt`);
    return {
      name,
      exempt: true,
      nominalConcurrencyShares: int(e.nominalConcurrencyShares, `${path}.spec.exempt.nominalConcurrencyShares`, 0, 0),
      lendablePercent: int(e.lendablePercent, `${path}.spec.exempt.lendablePercent`, 0, 0, 100),
      borrowingLimitPercent: undefined,
      queuing: undefined,
    };
  }
  if (spec.exempt !== undefined) forbidden(`${path}.spec.exempt`, "spec.type Limited");
  const lp = `${path}.spec.limited`;
  const l = asMap(spec.limited, lp);
  known(l, ["nominalConcurrencyShares", "lendablePercent", "borrowingLimitPercent", "limitResponse"], lp);
  const lr = asMap(l.limitResponse, `${lp}.limitResponse`);
  known(lr, ["type", "queuing"], `${lp}.limitResponse`);
  const lrType = oneOf(lr.type, ["Queue", "Reject"] as const, `${lp}.limitResponse.type`);
  let queuing: ResolvedLevel["queuing"];
  if (lrType === "Reject") {
    if (lr.queuing !== undefined) forbidden(`${lp}.limitResponse.queuing`, "limitResponse.type Reject");
  } else {
    const qp = `${lp}.limitResponse.queuing`;
    const q = asMap(lr.queuing, qp);
    known(q, ["queues", "handSize", "queueLengthLimit"], qp);
    const queues = int(q.queues, `${qp}.queues`, 64, 1, MAX_QUEUES);
    const handSize = int(q.handSize, `${qp}.handSize`, 8, 1);
    if (handSize > queues) throw new InputError(`${qp}.handSize`, `an integer from 1 to queues (${queues})`, handSize);
    if (requiredEntropyBits(queues, handSize) > MAX_HASH_BITS) {
      throw new InputError(
        `${qp}.handSize`,
        `a hand size whose shuffle sharding needs at most ${MAX_HASH_BITS} bits (ceil(log2(${queues}) x handSize))`,
        handSize,
      );
    }
    const queueLengthLimit = int(q.queueLengthLimit, `${qp}.queueLengthLimit`, 50, 1);
    queuing = { queues, handSize, queueLengthLimit };
  }
  return {
    name,
    exempt: false,
    nominalConcurrencyShares: int(l.nominalConcurrencyShares, `${lp}.nominalConcurrencyShares`, 30, 0),
    lendablePercent: int(l.lendablePercent, `${lp}.lendablePercent`, 0, 0, 100),
    borrowingLimitPercent:
      l.borrowingLimitPercent === undefined
        ? undefined
        : int(l.borrowingLimitPercent, `${lp}.borrowingLimitPercent`, 0, 0),
    queuing,
  };
}

function resolveFlowSchema(input: unknown, path: string, levels: Set<string>): ResolvedFlowSchema {
  const m = asMap(input, path);
  known(m, ["apiVersion", "kind", "metadata", "spec"], path);
  const name = metadataName(m, path);
  const sp = `${path}.spec`;
  const spec = asMap(m.spec, sp);
  known(spec, ["priorityLevelConfiguration", "matchingPrecedence", "distinguisherMethod", "rules"], sp);
  const ref = asMap(spec.priorityLevelConfiguration, `${sp}.priorityLevelConfiguration`);
  known(ref, ["name"], `${sp}.priorityLevelConfiguration`);
  const level = ref.name;
  if (typeof level !== "string" || !levels.has(level)) {
    throw new InputError(
      `${sp}.priorityLevelConfiguration.name`,
      `the name of a priority level (one of ${[...levels].join(", ")})`,
      level,
    );
  }
  if ((name === EXEMPT && level !== EXEMPT) || (name === CATCH_ALL && level !== CATCH_ALL)) {
    throw new InputError(`${sp}.priorityLevelConfiguration.name`, `"${name}" for the mandatory flow schema`, level);
  }
  const matchingPrecedence = int(spec.matchingPrecedence, `${sp}.matchingPrecedence`, 1000, 1, 10000);
  let distinguisher: ResolvedFlowSchema["distinguisher"];
  if (spec.distinguisherMethod !== undefined) {
    const dm = asMap(spec.distinguisherMethod, `${sp}.distinguisherMethod`);
    known(dm, ["type"], `${sp}.distinguisherMethod`);
    distinguisher = oneOf(dm.type, ["ByUser", "ByNamespace"] as const, `${sp}.distinguisherMethod.type`);
  }
  const rules = (spec.rules === undefined ? [] : asList(spec.rules, `${sp}.rules`)).map((r, i) =>
    resolveRule(r, `${sp}.rules[${i}]`),
  );
  return { name, priorityLevel: level, matchingPrecedence, distinguisher, rules };
}

function resolveRule(input: unknown, path: string): ResolvedRule {
  const m = asMap(input, path);
  known(m, ["subjects", "resourceRules", "nonResourceRules"], path);
  const subjects = asList(m.subjects, `${path}.subjects`, 1).map((s, i) => resolveSubject(s, `${path}.subjects[${i}]`));
  const resourceRules = (m.resourceRules === undefined ? [] : asList(m.resourceRules, `${path}.resourceRules`)).map(
    (r, i) => {
      const p = `${path}.resourceRules[${i}]`;
      const rr = asMap(r, p);
      known(rr, ["verbs", "apiGroups", "resources", "clusterScope", "namespaces"], p);
      const clusterScope = rr.clusterScope === undefined ? false : bool(rr.clusterScope, `${p}.clusterScope`);
      const namespaces = rr.namespaces === undefined ? [] : strings(rr.namespaces, `${p}.namespaces`, 0, "*", true);
      if (!clusterScope && namespaces.length === 0) {
        throw new InputError(`${p}.namespaces`, "at least one namespace (or clusterScope: true)", rr.namespaces);
      }
      return {
        verbs: strings(rr.verbs, `${p}.verbs`, 1, "*"),
        apiGroups: strings(rr.apiGroups, `${p}.apiGroups`, 1, "*", true),
        resources: strings(rr.resources, `${p}.resources`, 1, "*"),
        clusterScope,
        namespaces,
      };
    },
  );
  const nonResourceRules = (
    m.nonResourceRules === undefined ? [] : asList(m.nonResourceRules, `${path}.nonResourceRules`)
  ).map((r, i) => {
    const p = `${path}.nonResourceRules[${i}]`;
    const nr = asMap(r, p);
    known(nr, ["verbs", "nonResourceURLs"], p);
    const urls = strings(nr.nonResourceURLs, `${p}.nonResourceURLs`, 1, "*");
    urls.forEach((u, j) => {
      if (u !== "*" && !u.startsWith("/")) {
        throw new InputError(`${p}.nonResourceURLs[${j}]`, `"*" or a path starting with "/"`, u);
      }
    });
    return { verbs: strings(nr.verbs, `${p}.verbs`, 1, "*"), nonResourceURLs: urls };
  });
  if (resourceRules.length === 0 && nonResourceRules.length === 0) {
    throw new InputError(path, "at least one of resourceRules and nonResourceRules", m);
  }
  return { subjects, resourceRules, nonResourceRules };
}

function resolveSubject(input: unknown, path: string): ResolvedSubject {
  const m = asMap(input, path);
  known(m, ["kind", "user", "group", "serviceAccount"], path);
  const kind = oneOf(m.kind, ["User", "Group", "ServiceAccount"] as const, `${path}.kind`);
  const field = kind === "User" ? "user" : kind === "Group" ? "group" : "serviceAccount";
  for (const other of ["user", "group", "serviceAccount"]) {
    if (other !== field && m[other] !== undefined) forbidden(`${path}.${other}`, `kind ${kind}`);
  }
  const inner = asMap(m[field], `${path}.${field}`);
  if (kind === "ServiceAccount") {
    known(inner, ["namespace", "name"], `${path}.${field}`);
    return {
      kind,
      name: nonEmpty(inner.name, `${path}.${field}.name`),
      namespace: nonEmpty(inner.namespace, `${path}.${field}.namespace`),
    };
  }
  known(inner, ["name"], `${path}.${field}`);
  return { kind, name: nonEmpty(inner.name, `${path}.${field}.name`), namespace: "" };
}

// --- small readers ------------------------------------------------------------------------------

function asMap(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new InputError(path, "a map", v);
  return v as Record<string, unknown>;
}

function asList(v: unknown, path: string, min = 0): unknown[] {
  if (!Array.isArray(v) || v.length < min) {
    throw new InputError(path, min > 0 ? `a list of at least ${min}` : "a list", v);
  }
  return v;
}

function known(m: Record<string, unknown>, keys: string[], path: string): void {
  for (const k of Object.keys(m)) {
    if (!keys.includes(k)) {
      throw new InputError(
        path === "" ? k : `${path}.${k}`,
        `a known field (${keys.join(", ")})`,
        new Described(`unknown field "${k}"`),
      );
    }
  }
}

function metadataName(m: Record<string, unknown>, path: string): string {
  const meta = asMap(m.metadata, `${path}.metadata`);
  const name = meta.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new InputError(`${path}.metadata.name`, 'a lower-case name such as "workload-low"', name);
  }
  return name;
}

function int(v: unknown, path: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new InputError(
      path,
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      v,
    );
  }
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new InputError(path, "true or false", v);
  return v;
}

function nonEmpty(v: unknown, path: string): string {
  if (typeof v !== "string" || v === "") throw new InputError(path, "a non-empty string", v);
  return v;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], path: string): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    throw new InputError(path, `one of ${options.join(", ")}`, v);
  }
  return v as T;
}

/** A list of strings; the wildcard, when present, must be the only member (upstream validation). */
function strings(v: unknown, path: string, min: number, wildcard: string, allowEmptyString = false): string[] {
  const list = asList(v, path, min);
  list.forEach((s, i) => {
    if (typeof s !== "string" || (s === "" && !allowEmptyString)) {
      throw new InputError(`${path}[${i}]`, allowEmptyString ? "a string" : "a non-empty string", s);
    }
  });
  if (list.length > 1 && list.includes(wildcard)) {
    throw new InputError(path, `"${wildcard}" alone or a list without "${wildcard}"`, list);
  }
  return list as string[];
}

function forbidden(path: string, because: string): never {
  throw new InputError(path, `no value (not allowed with ${because})`, new Described("a value"));
}
