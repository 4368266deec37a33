// Matching a request against FlowSchemas, as upstream
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/rule.go does: a schema matches when one of
// its rules has a matching subject and a matching resource rule (resource requests) or
// non-resource rule (other requests). A wildcard counts only when it is a list's only member.
// Schemas are compiled once into sets so that classifying a request costs a few lookups per
// schema.
import type { ResolvedFlowSchema, ResolvedNonResourceRule, ResolvedResourceRule, ResolvedRule } from "./config.js";
import type { RequestAttributes } from "./types.js";

const SA_PREFIX = "system:serviceaccount:";

/** What matching needs of a request, derived once per request (reusable). */
export class MatchInput {
  req!: RequestAttributes;
  /** "resource" or "resource/subresource". */
  resource = "";
  /** The namespace of a service-account user (system:serviceaccount:<ns>:<name>), else undefined. */
  saNamespace: string | undefined = undefined;

  set(req: RequestAttributes): this {
    this.req = req;
    const sub = req.subresource;
    this.resource = sub === undefined || sub === "" ? req.resource : `${req.resource}/${sub}`;
    this.saNamespace = undefined;
    const u = req.user;
    if (u.startsWith(SA_PREFIX)) {
      const colon = u.indexOf(":", SA_PREFIX.length);
      if (colon > SA_PREFIX.length) this.saNamespace = u.slice(SA_PREFIX.length, colon);
    }
    return this;
  }
}

/** A list compiled to "everything" (null) or a set; the wildcard counts only alone. */
function listSet(list: readonly string[], wildcard: string): Set<string> | null {
  return list.length === 1 && list[0] === wildcard ? null : new Set(list);
}

class CompiledResourceRule {
  private readonly verbs: Set<string> | null;
  private readonly apiGroups: Set<string> | null;
  private readonly resources: Set<string> | null;
  private readonly namespaces: Set<string> | null;
  private readonly clusterScope: boolean;

  constructor(r: ResolvedResourceRule) {
    this.verbs = listSet(r.verbs, "*");
    this.apiGroups = listSet(r.apiGroups, "*");
    this.resources = listSet(r.resources, "*");
    this.namespaces = listSet(r.namespaces, "*");
    this.clusterScope = r.clusterScope;
  }

  matches(m: MatchInput): boolean {
    const req = m.req;
    if (this.verbs !== null && !this.verbs.has(req.verb)) return false;
    if (this.resources !== null && !this.resources.has(m.resource)) return false;
    if (this.apiGroups !== null && !this.apiGroups.has(req.apiGroup)) return false;
    const ns = req.namespace;
    if (ns === undefined || ns === "") return this.clusterScope;
    return this.namespaces === null || this.namespaces.has(ns);
  }
}

class CompiledNonResourceRule {
  private readonly verbs: Set<string> | null;
  private readonly urls: readonly string[];

  constructor(r: ResolvedNonResourceRule) {
    this.verbs = listSet(r.verbs, "*");
    this.urls = r.nonResourceURLs;
  }

  matches(m: MatchInput): boolean {
    if (this.verbs !== null && !this.verbs.has(m.req.verb)) return false;
    const path = m.req.path ?? "";
    for (const rule of this.urls) {
      if (rule === "*" || rule === path) return true;
      // "/apis/*" and "/apis" both match every path under /apis/.
      let prefix = rule.endsWith("*") ? rule.slice(0, -1) : rule;
      if (!prefix.endsWith("/")) prefix = `${prefix}/`;
      if (path.startsWith(prefix)) return true;
    }
    return false;
  }
}

class CompiledRule {
  private readonly anySubject: boolean;
  private readonly users = new Set<string>();
  private readonly groups = new Set<string>();
  /** Namespaces whose every service account is a subject (name "*"). */
  private readonly saNamespaces = new Set<string>();
  /** Full user names of service-account subjects. */
  private readonly saUsers = new Set<string>();
  private readonly resourceRules: CompiledResourceRule[];
  private readonly nonResourceRules: CompiledNonResourceRule[];

  constructor(r: ResolvedRule) {
    let any = false;
    for (const s of r.subjects) {
      if (s.kind === "User") {
        if (s.name === "*") any = true;
        else this.users.add(s.name);
      } else if (s.kind === "Group") {
        if (s.name === "*") any = true;
        else this.groups.add(s.name);
      } else if (s.name === "*") {
        this.saNamespaces.add(s.namespace);
      } else {
        this.saUsers.add(`${SA_PREFIX}${s.namespace}:${s.name}`);
      }
    }
    this.anySubject = any;
    this.resourceRules = r.resourceRules.map((x) => new CompiledResourceRule(x));
    this.nonResourceRules = r.nonResourceRules.map((x) => new CompiledNonResourceRule(x));
  }

  matches(m: MatchInput): boolean {
    return this.matchesSubject(m) && this.matchesTarget(m);
  }

  /** The resource or non-resource rules alone. */
  matchesTarget(m: MatchInput): boolean {
    const rules = m.req.isResourceRequest ? this.resourceRules : this.nonResourceRules;
    for (const rule of rules) if (rule.matches(m)) return true;
    return false;
  }

  /** Subjects as index entries: (kind, key) pairs a request can be looked up by. */
  subjectKeys(): { any: boolean; users: string[]; groups: string[]; saNamespaces: string[]; saUsers: string[] } {
    return {
      any: this.anySubject,
      users: [...this.users],
      groups: [...this.groups],
      saNamespaces: [...this.saNamespaces],
      saUsers: [...this.saUsers],
    };
  }

  matchesSubject(m: MatchInput): boolean {
    if (this.anySubject) return true;
    const req = m.req;
    if (this.users.size > 0 && this.users.has(req.user)) return true;
    if (this.groups.size > 0) {
      for (const g of req.groups) if (this.groups.has(g)) return true;
    }
    if (m.saNamespace !== undefined) {
      if (this.saNamespaces.has(m.saNamespace)) return true;
      if (this.saUsers.size > 0 && this.saUsers.has(req.user)) return true;
    }
    return false;
  }
}

/** A flow schema compiled for matching. */
export class SchemaMatcher {
  readonly rules: CompiledRule[];
  readonly anyResourceRules: boolean;
  readonly anyNonResourceRules: boolean;

  constructor(fs: ResolvedFlowSchema) {
    this.rules = fs.rules.map((r) => new CompiledRule(r));
    this.anyResourceRules = fs.rules.some((r) => r.resourceRules.length > 0);
    this.anyNonResourceRules = fs.rules.some((r) => r.nonResourceRules.length > 0);
  }

  matches(m: MatchInput): boolean {
    if (m.req.isResourceRequest ? !this.anyResourceRules : !this.anyNonResourceRules) return false;
    for (const rule of this.rules) if (rule.matches(m)) return true;
    return false;
  }
}

/**
 * Finds the first matching schema of an ordered list. Subjects are indexed: a request's user,
 * groups and service-account namespace select, by bit masks, the schemas that name one of them
 * (or every subject), so only those are checked further; same result as trying every schema.
 */
export class Classifier {
  private readonly matchers: SchemaMatcher[];
  private readonly indexed: boolean;
  private anyMask = 0;
  private resourceMask = 0;
  private nonResourceMask = 0;
  private readonly userMask = new Map<string, number>();
  private readonly groupMask = new Map<string, number>();
  private readonly saNamespaceMask = new Map<string, number>();
  private readonly saUserMask = new Map<string, number>();
  private readonly scratch = new MatchInput();

  constructor(schemas: readonly ResolvedFlowSchema[]) {
    this.matchers = schemas.map((fs) => new SchemaMatcher(fs));
    this.indexed = this.matchers.length <= 31;
    if (!this.indexed) return;
    const add = (map: Map<string, number>, key: string, bit: number) => map.set(key, (map.get(key) ?? 0) | bit);
    this.matchers.forEach((sm, i) => {
      const bit = 1 << i;
      if (sm.anyResourceRules) this.resourceMask |= bit;
      if (sm.anyNonResourceRules) this.nonResourceMask |= bit;
      for (const rule of sm.rules) {
        const k = rule.subjectKeys();
        if (k.any) this.anyMask |= bit;
        for (const u of k.users) add(this.userMask, u, bit);
        for (const g of k.groups) add(this.groupMask, g, bit);
        for (const ns of k.saNamespaces) add(this.saNamespaceMask, ns, bit);
        for (const u of k.saUsers) add(this.saUserMask, u, bit);
      }
    });
  }

  /** Index of the first schema `req` matches, or -1. */
  classify(req: RequestAttributes): number {
    const m = this.scratch.set(req);
    const matchers = this.matchers;
    if (!this.indexed) {
      for (let i = 0; i < matchers.length; i++) if ((matchers[i] as SchemaMatcher).matches(m)) return i;
      return -1;
    }
    let mask = this.anyMask | (this.userMask.get(req.user) ?? 0);
    for (const g of req.groups) mask |= this.groupMask.get(g) ?? 0;
    if (m.saNamespace !== undefined) {
      mask |= (this.saNamespaceMask.get(m.saNamespace) ?? 0) | (this.saUserMask.get(req.user) ?? 0);
    }
    mask &= req.isResourceRequest ? this.resourceMask : this.nonResourceMask;
    while (mask !== 0) {
      const low = mask & -mask;
      const i = 31 - Math.clz32(low);
      const sm = matchers[i] as SchemaMatcher;
      const rules = sm.rules;
      // A single rule's subject is known to match; with several rules, check each fully.
      if (rules.length === 1 ? (rules[0] as CompiledRule).matchesTarget(m) : sm.matches(m)) return i;
      mask ^= low;
    }
    return -1;
  }
}

/** Whether `req` matches `fs` (convenience; classification compiles schemas once). */
export function matchesFlowSchema(req: RequestAttributes, fs: ResolvedFlowSchema): boolean {
  return new SchemaMatcher(fs).matches(new MatchInput().set(req));
}

/** The flow distinguisher: the user name (ByUser), the namespace (ByNamespace) or "". */
export function flowDistinguisher(req: RequestAttributes, fs: ResolvedFlowSchema): string {
  switch (fs.distinguisher) {
    case "ByUser":
      return req.user;
    case "ByNamespace":
      return req.namespace ?? "";
    default:
      return "";
  }
}
