/**
 * Reads a KubeSchedulerConfiguration document (YAML or JSON), applies kube-scheduler's
 * defaults and rejects what kube-scheduler rejects, naming the field path.
 *
 * Sources: pkg/scheduler/apis/config/v1/defaults.go (SetDefaults_*), default_plugins.go
 * (getDefaultPlugins, mergePlugins, mergePluginSet), validation/validation.go and
 * validation_pluginargs.go (ValidateKubeSchedulerConfiguration and the *Args validators), and
 * framework/runtime/framework.go (NewFramework: updatePluginList, expandMultiPointPlugins,
 * getScoreWeights, the one-QueueSort / at-least-one-Bind checks). Upstream reports every
 * error at once; we report the first, as `path: expected ..., found ...`.
 */
import { parse as parseYaml } from "yaml";
import { compilePreferredSchedulingTerms, NodeSelectorMatcher } from "../../api/node-affinity.js";
import type { NodeAffinity, NodeSelectorTerm, TopologySpreadConstraint } from "../../api/types/core.js";
import { isQualifiedName } from "../../api/validation.js";
import { InputError } from "../../engine/errors.js";
import { buildCostModel } from "../cost.js";
import { MapReader } from "./reader.js";
import {
  DEFAULT_MULTI_POINT,
  EXTENSION_POINTS,
  type ExtensionPoint,
  INVALID_V1_PLUGINS,
  MAX_NODE_SCORE,
  PLUGIN_POINTS,
  PLUGINS_WITH_ARGS,
  POINT_INTERFACE,
} from "./registry.js";
import {
  API_VERSION,
  type DefaultPreemptionArgs,
  type InterPodAffinityArgs,
  KIND,
  type KubesimOptions,
  type NodeAffinityArgs,
  type NodeResourcesBalancedAllocationArgs,
  type NodeResourcesFitArgs,
  type PluginArgs,
  type PluginRef,
  type PluginSet,
  type Plugins,
  type PodTopologySpreadArgs,
  type Profile,
  type ResourceSpec,
  type SchedulerConfig,
  type ScoringStrategyType,
  type UtilizationShapePoint,
  type VolumeBindingArgs,
} from "./types.js";

const ALL_SETS = ["multiPoint", ...EXTENSION_POINTS] as const;
const MAX_INT32 = 2 ** 31 - 1;
const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** Parses YAML or JSON text; errors name `file` when given. */
export function parseSchedulerConfig(text: string, file?: string): SchedulerConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const err = new InputError("", "a YAML or JSON KubeSchedulerConfiguration", (e as Error).message.split("\n")[0]);
    throw file === undefined ? err : err.inFile(file);
  }
  try {
    return readSchedulerConfig(doc);
  } catch (e) {
    if (e instanceof InputError && file !== undefined) throw e.inFile(file);
    throw e;
  }
}

/** The configuration every omitted field gives: one default profile, default plugins and args. */
export function defaultSchedulerConfig(): SchedulerConfig {
  return readSchedulerConfig({ apiVersion: API_VERSION, kind: KIND });
}

/** Reads an already parsed document. */
export function readSchedulerConfig(doc: unknown): SchedulerConfig {
  const top = new MapReader(doc ?? {}, "");
  const apiVersion = top.raw("apiVersion");
  if (apiVersion !== API_VERSION) top.fail("apiVersion", `"${API_VERSION}"`, apiVersion);
  const kind = top.raw("kind");
  if (kind !== KIND) top.fail("kind", `"${KIND}"`, kind);

  const parallelism = top.int("parallelism", 16);
  if (parallelism <= 0) top.fail("parallelism", "an integer value greater than zero", parallelism);
  const percentageOfNodesToScore = percentage(top, "percentageOfNodesToScore") ?? 0;
  const podInitialBackoffSeconds = top.int("podInitialBackoffSeconds", 1);
  if (podInitialBackoffSeconds <= 0) {
    top.fail("podInitialBackoffSeconds", "an integer greater than 0", podInitialBackoffSeconds);
  }
  const podMaxBackoffSeconds = top.int("podMaxBackoffSeconds", 10);
  if (podMaxBackoffSeconds < podInitialBackoffSeconds) {
    top.fail(
      "podMaxBackoffSeconds",
      `an integer greater than or equal to podInitialBackoffSeconds (${podInitialBackoffSeconds})`,
      podMaxBackoffSeconds,
    );
  }
  const clientConnection = readClientConnection(top.optionalMap("clientConnection"));
  // Accepted for compatibility with real files; they do not change what is simulated.
  top.raw("leaderElection");
  top.raw("healthzBindAddress");
  top.raw("metricsBindAddress");
  top.raw("enableProfiling");
  top.raw("enableContentionProfiling");
  top.raw("delayCacheUntilActive");
  const extenders = top.list("extenders");
  if (extenders.length > 0) {
    top.fail("extenders", "no extenders (kubesim does not model scheduler extenders)", extenders.length);
  }
  const kubesim = readKubesim(top.optionalMap("kubesim"));

  let rawProfiles = top.list("profiles");
  if (rawProfiles.length === 0) rawProfiles = [{ value: {}, path: "profiles[0]" }];
  const single = rawProfiles.length === 1;
  const profiles = rawProfiles.map(({ value, path }) => readProfile(value, path, single));
  top.done();

  const seen = new Map<string, number>();
  profiles.forEach((p, i) => {
    const prev = seen.get(p.schedulerName);
    if (prev !== undefined) {
      throw new InputError(
        `profiles[${i}].schedulerName`,
        `a name not already used by profiles[${prev}].schedulerName`,
        p.schedulerName,
      );
    }
    seen.set(p.schedulerName, i);
  });
  // validateCommonQueueSort: every profile must configure queueSort identically.
  const canon = JSON.stringify(profiles[0]?.plugins.queueSort);
  profiles.forEach((p, i) => {
    if (i > 0 && JSON.stringify(p.plugins.queueSort) !== canon) {
      throw new InputError(
        `profiles[${i}].plugins.queueSort`,
        "the same queueSort plugins as profiles[0] (must be the same for all profiles)",
        p.plugins.queueSort.enabled.map((e) => e.name).join(", ") || "an empty set",
      );
    }
  });

  return {
    parallelism,
    percentageOfNodesToScore,
    podInitialBackoffSeconds,
    podMaxBackoffSeconds,
    clientConnection,
    profiles,
    kubesim,
  };
}

function percentage(r: MapReader, key: string): number | undefined {
  const v = r.optionalInt(key);
  if (v !== undefined && (v < 0 || v > 100)) r.fail(key, "a percentage in the valid range [0-100]", v);
  return v;
}

function readClientConnection(r: MapReader | undefined): { qps: number; burst: number } {
  if (r === undefined) return { qps: 50, burst: 100 };
  const qps = r.number("qps", 0);
  const burst = r.int("burst", 0);
  if (qps < 0) r.fail("qps", "a non-negative number", qps);
  if (burst < 0) r.fail("burst", "a non-negative integer", burst);
  r.raw("kubeconfig");
  r.raw("acceptContentTypes");
  r.raw("contentType");
  r.done();
  // SetDefaults_KubeSchedulerConfiguration: the scheduler's own 50 / 100 when unset or 0.
  return { qps: qps === 0 ? 50 : qps, burst: burst === 0 ? 100 : burst };
}

function readKubesim(r: MapReader | undefined): KubesimOptions {
  if (r === undefined) {
    return { evaluatorThreads: "auto", parallelThresholdNodes: 6000, fusedKernel: "wasm", costModel: buildCostModel() };
  }
  const t = r.raw("evaluatorThreads");
  let evaluatorThreads: "auto" | number = "auto";
  if (t !== undefined) {
    if (t === "auto") evaluatorThreads = "auto";
    else if (typeof t === "number" && Number.isInteger(t) && t >= 0 && t <= 64) evaluatorThreads = t;
    else r.fail("evaluatorThreads", '"auto" or an integer from 0 to 64', t);
  }
  const parallelThresholdNodes = r.int("parallelThresholdNodes", 6000);
  if (parallelThresholdNodes < 1) r.fail("parallelThresholdNodes", "an integer >= 1", parallelThresholdNodes);
  const k = r.raw("fusedKernel");
  let fusedKernel: "wasm" | "js" = "wasm";
  if (k !== undefined) {
    if (k === "wasm" || k === "js") fusedKernel = k;
    else r.fail("fusedKernel", '"wasm" or "js"', k);
  }
  const cm = r.optionalMap("costModel");
  let overrides: Record<string, unknown> = {};
  if (cm !== undefined) {
    overrides = r.raw("costModel") as Record<string, unknown>;
  }
  const costModel = buildCostModel(overrides, r.at("costModel"));
  r.done();
  return { evaluatorThreads, parallelThresholdNodes, fusedKernel, costModel };
}

// ---------------------------------------------------------------------------------------------
// Profiles

function emptySet(): PluginSet {
  return { enabled: [], disabled: [] };
}

function emptyPlugins(): Plugins {
  const p = {} as Plugins;
  for (const s of ALL_SETS) p[s] = emptySet();
  return p;
}

function readPluginSet(r: MapReader, point: (typeof ALL_SETS)[number]): PluginSet {
  const set = emptySet();
  for (const [listName, list] of [
    ["enabled", set.enabled],
    ["disabled", set.disabled],
  ] as const) {
    for (const { value, path } of r.list(listName)) {
      const pr = new MapReader(value, path);
      const name = pr.string("name");
      if (name === "") pr.fail("name", "a plugin name", name);
      const weight = pr.optionalInt("weight");
      pr.done();
      if (listName === "enabled" || name !== "*") {
        if (INVALID_V1_PLUGINS.includes(name)) {
          pr.fail("name", `a plugin valid in ${API_VERSION} (${name} was removed)`, name);
        }
        if (listName === "enabled" && PLUGIN_POINTS[name] === undefined) {
          pr.fail("name", `a known plugin (${Object.keys(PLUGIN_POINTS).join(", ")})`, name);
        }
      }
      if (weight !== undefined) {
        if (weight < 0) pr.fail("weight", "a weight >= 0 (weights must not be negative)", weight);
        if (weight > MAX_INT32) pr.fail("weight", "a weight that fits in int32", weight);
      }
      list.push(weight === undefined ? { name } : { name, weight });
    }
  }
  void point;
  r.done();
  return set;
}

/** mergePluginSet (default_plugins.go): defaults minus disabled, custom overrides in place, rest appended. */
function mergePluginSet(def: PluginSet, custom: PluginSet): PluginSet {
  const disabled: PluginRef[] = [];
  const disabledNames = new Set<string>();
  for (const d of custom.disabled) {
    disabled.push({ name: d.name });
    disabledNames.add(d.name);
  }
  for (const d of def.disabled) {
    disabled.push({ name: d.name });
    disabledNames.add(d.name);
  }
  const customByName = new Map<string, { index: number; plugin: PluginRef }>();
  custom.enabled.forEach((p, index) => {
    customByName.set(p.name, { index, plugin: p });
  });
  const replaced = new Set<number>();
  const enabled: PluginRef[] = [];
  if (!disabledNames.has("*")) {
    for (const d of def.enabled) {
      if (disabledNames.has(d.name)) continue;
      const c = customByName.get(d.name);
      if (c !== undefined) {
        enabled.push(c.plugin);
        replaced.add(c.index);
      } else {
        enabled.push(d);
      }
    }
  }
  custom.enabled.forEach((p, i) => {
    if (!replaced.has(i)) enabled.push(p);
  });
  return { enabled, disabled };
}

function defaultPlugins(): Plugins {
  const p = emptyPlugins();
  p.multiPoint.enabled = DEFAULT_MULTI_POINT.map((e) => ({ ...e }));
  return p;
}

function readProfile(value: unknown, path: string, single: boolean): Profile {
  const r = new MapReader(value, path);
  let name = r.optionalString("schedulerName");
  if (name === undefined && single) name = DEFAULT_SCHEDULER_NAME;
  if (name === undefined || name === "") {
    throw new InputError(r.at("schedulerName"), "a scheduler name (required when there are several profiles)", name);
  }
  const schedulerName: string = name;
  const percentageOfNodesToScore = percentage(r, "percentageOfNodesToScore");

  const custom = emptyPlugins();
  const pm = r.optionalMap("plugins");
  if (pm !== undefined) {
    for (const s of ALL_SETS) {
      const sm = pm.optionalMap(s);
      if (sm !== undefined) custom[s] = readPluginSet(sm, s);
    }
    pm.done();
  }
  const def = defaultPlugins();
  const plugins = emptyPlugins();
  for (const s of ALL_SETS) plugins[s] = pm === undefined ? def[s] : mergePluginSet(def[s], custom[s]);

  // Plugin args: the configured ones defaulted, then defaults for enabled plugins without one.
  const argsGiven = new Map<string, unknown>();
  for (const { value: cv, path: cp } of r.list("pluginConfig")) {
    const cr = new MapReader(cv, cp);
    const name = cr.string("name");
    if (argsGiven.has(name)) cr.fail("name", "a plugin not configured twice (Duplicate value)", name);
    if (INVALID_V1_PLUGINS.includes(name)) cr.fail("name", `a plugin valid in ${API_VERSION}`, name);
    if (!(PLUGINS_WITH_ARGS as readonly string[]).includes(name)) {
      cr.fail("name", `a plugin that takes args (${PLUGINS_WITH_ARGS.join(", ")})`, name);
    }
    argsGiven.set(name, { value: cr.raw("args") ?? {}, path: cr.at("args") });
    cr.done();
  }
  const args = readAllArgs(argsGiven);
  r.done();

  const { points, weights } = expand(plugins, path, schedulerName);
  return { schedulerName, percentageOfNodesToScore, plugins, points, weights, args };
}

// ---------------------------------------------------------------------------------------------
// Framework instantiation (framework/runtime/framework.go)

function expand(
  plugins: Plugins,
  path: string,
  schedulerName: string,
): { points: Record<ExtensionPoint, string[]>; weights: Record<string, number> } {
  const points = {} as Record<ExtensionPoint, string[]>;
  for (const ep of EXTENSION_POINTS) {
    // updatePluginList: explicit per-point enables.
    const set = plugins[ep];
    const explicit: string[] = [];
    set.enabled.forEach((p, i) => {
      const at = `${path}.plugins.${ep}.enabled[${i}].name`;
      const impl = PLUGIN_POINTS[p.name];
      if (impl === undefined) throw new InputError(at, "a known plugin", p.name);
      if (!impl.includes(ep)) {
        throw new InputError(at, `a plugin that extends ${POINT_INTERFACE[ep]}`, p.name);
      }
      if (explicit.includes(p.name)) {
        throw new InputError(at, `a plugin not already registered as ${POINT_INTERFACE[ep]}`, p.name);
      }
      explicit.push(p.name);
    });
    // expandMultiPointPlugins.
    const disabled = new Set(set.disabled.map((d) => d.name));
    if (disabled.has("*")) {
      points[ep] = explicit;
      continue;
    }
    const overrides: string[] = [];
    const multi: string[] = [];
    plugins.multiPoint.enabled.forEach((p, i) => {
      const impl = PLUGIN_POINTS[p.name];
      if (impl === undefined) {
        throw new InputError(`${path}.plugins.multiPoint.enabled[${i}].name`, "a known plugin", p.name);
      }
      if (!impl.includes(ep) || disabled.has(p.name)) return;
      if (explicit.includes(p.name)) {
        if (!overrides.includes(p.name)) overrides.push(p.name);
        return;
      }
      if (multi.includes(p.name)) {
        throw new InputError(
          `${path}.plugins.multiPoint.enabled[${i}].name`,
          `a plugin not already registered as ${POINT_INTERFACE[ep]}`,
          p.name,
        );
      }
      multi.push(p.name);
    });
    // Order: explicit overrides (in explicit order), then multiPoint ones, then other explicit ones.
    const ordered = explicit.filter((n) => overrides.includes(n));
    ordered.push(...multi);
    ordered.push(...explicit.filter((n) => !overrides.includes(n)));
    points[ep] = ordered;
  }
  if (points.queueSort.length !== 1) {
    throw new InputError(
      `${path}.plugins.queueSort`,
      `exactly one queue sort plugin for profile with scheduler name "${schedulerName}"`,
      points.queueSort.length,
    );
  }
  if (points.bind.length === 0) {
    throw new InputError(
      `${path}.plugins.bind`,
      `at least one bind plugin for profile with scheduler name "${schedulerName}"`,
      0,
    );
  }
  // getScoreWeights: score.enabled first, then multiPoint; the first mention wins; 0 → 1.
  const weights: Record<string, number> = {};
  let total = 0;
  for (const p of [...plugins.score.enabled, ...plugins.multiPoint.enabled]) {
    if (!PLUGIN_POINTS[p.name]?.includes("score")) continue;
    if (p.name in weights) continue;
    const w = p.weight === undefined || p.weight === 0 ? 1 : p.weight;
    weights[p.name] = w;
    total += w * MAX_NODE_SCORE;
    if (total > Number.MAX_SAFE_INTEGER) {
      throw new InputError(`${path}.plugins.score`, "weights whose total score cannot overflow", total);
    }
  }
  return { points, weights };
}

// ---------------------------------------------------------------------------------------------
// Plugin args

function readAllArgs(given: Map<string, unknown>): PluginArgs {
  const get = (name: string): { value: unknown; path: string } =>
    (given.get(name) as { value: unknown; path: string } | undefined) ?? { value: {}, path: `${name}Args` };
  return {
    NodeResourcesFit: readFitArgs(get("NodeResourcesFit")),
    NodeResourcesBalancedAllocation: readBalancedArgs(get("NodeResourcesBalancedAllocation")),
    PodTopologySpread: readSpreadArgs(get("PodTopologySpread")),
    InterPodAffinity: readIpaArgs(get("InterPodAffinity")),
    DefaultPreemption: readPreemptionArgs(get("DefaultPreemption")),
    NodeAffinity: readNodeAffinityArgs(get("NodeAffinity")),
    VolumeBinding: readVolumeBindingArgs(get("VolumeBinding")),
  };
}

function argsReader(a: { value: unknown; path: string }, kind: string): MapReader {
  const r = new MapReader(a.value, a.path);
  const apiVersion = r.raw("apiVersion");
  if (apiVersion !== undefined && apiVersion !== API_VERSION) r.fail("apiVersion", `"${API_VERSION}"`, apiVersion);
  const k = r.raw("kind");
  if (k !== undefined && k !== kind) r.fail("kind", `"${kind}" (has to match plugin args)`, k);
  return r;
}

const DEFAULT_RESOURCES: ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

function readResources(r: MapReader, key: string): ResourceSpec[] {
  return r.list(key).map(({ value, path }) => {
    const rr = new MapReader(value, path);
    const name = rr.string("name");
    const weight = rr.int("weight", 0);
    rr.done();
    return { name, weight };
  });
}

function labelName(path: string, v: string): void {
  if (v === "") throw new InputError(path, "a label name (can not be empty)", v);
  const errs = isQualifiedName(v);
  if (errs.length > 0) throw new InputError(path, `a valid label name (${errs[0]})`, v);
}

function readFitArgs(a: { value: unknown; path: string }): NodeResourcesFitArgs {
  const r = argsReader(a, "NodeResourcesFitArgs");
  const ignoredResources = r.stringList("ignoredResources");
  ignoredResources.forEach((v, i) => {
    labelName(`${r.at("ignoredResources")}[${i}]`, v);
  });
  const ignoredResourceGroups = r.stringList("ignoredResourceGroups");
  ignoredResourceGroups.forEach((v, i) => {
    const p = `${r.at("ignoredResourceGroups")}[${i}]`;
    if (v.includes("/")) throw new InputError(p, "a resource group name without '/'", v);
    labelName(p, v);
  });
  const sm = r.optionalMap("scoringStrategy");
  let type: ScoringStrategyType = "LeastAllocated";
  let resources: ResourceSpec[] = [];
  let rtcr: { shape: UtilizationShapePoint[] } | undefined;
  if (sm !== undefined) {
    const t = sm.string("type", "LeastAllocated");
    if (t !== "LeastAllocated" && t !== "MostAllocated" && t !== "RequestedToCapacityRatio") {
      sm.fail("type", "one of LeastAllocated, MostAllocated, RequestedToCapacityRatio (Unsupported value)", t);
    }
    type = t as ScoringStrategyType;
    resources = readResources(sm, "resources");
    const rm = sm.optionalMap("requestedToCapacityRatio");
    if (rm !== undefined) {
      if (type !== "RequestedToCapacityRatio") {
        sm.fail("requestedToCapacityRatio", "nothing when type is not RequestedToCapacityRatio (Forbidden)", "a map");
      }
      rtcr = { shape: readShape(rm) };
      rm.done();
    } else if (type === "RequestedToCapacityRatio") {
      sm.fail(
        "requestedToCapacityRatio",
        "a shape (must be specified when type is RequestedToCapacityRatio)",
        undefined,
      );
    }
    sm.done();
  }
  r.done();
  if (resources.length === 0) resources = DEFAULT_RESOURCES.map((x) => ({ ...x }));
  resources.forEach((res, i) => {
    if (res.weight === 0) res.weight = 1;
    if (res.weight < 0 || res.weight > 100) {
      throw new InputError(
        `${a.path}.scoringStrategy.resources[${i}].weight`,
        `a weight in the valid range (0, 100] for resource ${res.name}`,
        res.weight,
      );
    }
  });
  const scoringStrategy: NodeResourcesFitArgs["scoringStrategy"] = { type, resources };
  if (rtcr !== undefined) scoringStrategy.requestedToCapacityRatio = rtcr;
  return { ignoredResources, ignoredResourceGroups, scoringStrategy };
}

function readShape(rm: MapReader): UtilizationShapePoint[] {
  const items = rm.list("shape");
  const path = rm.at("shape");
  if (items.length === 0) throw new InputError(path, "at least one point", "an empty list");
  const shape = items.map(({ value, path: p }) => {
    const pr = new MapReader(value, p);
    const utilization = pr.int("utilization", 0);
    const score = pr.int("score", 0);
    pr.done();
    return { utilization, score };
  });
  for (let i = 1; i < shape.length; i++) {
    if ((shape[i - 1] as UtilizationShapePoint).utilization >= (shape[i] as UtilizationShapePoint).utilization) {
      throw new InputError(
        `${path}[${i}].utilization`,
        "utilization values sorted in increasing order",
        (shape[i] as UtilizationShapePoint).utilization,
      );
    }
  }
  shape.forEach((pt, i) => {
    if (pt.utilization < 0 || pt.utilization > 100) {
      throw new InputError(`${path}[${i}].utilization`, "a value in the valid range [0, 100]", pt.utilization);
    }
    if (pt.score < 0 || pt.score > 10) {
      throw new InputError(`${path}[${i}].score`, "a value in the valid range [0, 10]", pt.score);
    }
  });
  return shape;
}

function readBalancedArgs(a: { value: unknown; path: string }): NodeResourcesBalancedAllocationArgs {
  const r = argsReader(a, "NodeResourcesBalancedAllocationArgs");
  let resources = readResources(r, "resources");
  r.done();
  if (resources.length === 0) resources = DEFAULT_RESOURCES.map((x) => ({ ...x }));
  const seen = new Set<string>();
  resources.forEach((res, i) => {
    if (res.weight === 0) res.weight = 1;
    if (seen.has(res.name)) {
      throw new InputError(`${a.path}.resources[${i}].name`, "a resource not listed twice (Duplicate value)", res.name);
    }
    seen.add(res.name);
    if (res.weight !== 1) throw new InputError(`${a.path}.resources[${i}].weight`, "1 (must be 1)", res.weight);
  });
  return { resources };
}

function readSpreadArgs(a: { value: unknown; path: string }): PodTopologySpreadArgs {
  const r = argsReader(a, "PodTopologySpreadArgs");
  const items = r.list("defaultConstraints");
  const dt = r.string("defaultingType", "System");
  r.done();
  if (dt !== "System" && dt !== "List") r.fail("defaultingType", "one of System, List (Unsupported value)", dt);
  if (dt === "System" && items.length > 0) {
    r.fail("defaultingType", "List when .defaultConstraints are not empty", dt);
  }
  const constraints: TopologySpreadConstraint[] = items.map(({ value, path }, i) => {
    const cr = new MapReader(value, path);
    const maxSkew = cr.int("maxSkew", 0);
    if (maxSkew <= 0) cr.fail("maxSkew", "a value in the valid range (0, inf)", maxSkew);
    const topologyKey = cr.string("topologyKey", "");
    labelName(cr.at("topologyKey"), topologyKey);
    const when = cr.string("whenUnsatisfiable", "");
    if (when === "") cr.fail("whenUnsatisfiable", "DoNotSchedule or ScheduleAnyway (Required value)", when);
    if (when !== "DoNotSchedule" && when !== "ScheduleAnyway") {
      cr.fail("whenUnsatisfiable", "one of DoNotSchedule, ScheduleAnyway (Unsupported value)", when);
    }
    if (cr.has("labelSelector")) {
      cr.fail(
        "labelSelector",
        "no selector (constraint must not define a selector, as they deduced for each pod)",
        "a selector",
      );
    }
    cr.raw("labelSelector");
    const c: TopologySpreadConstraint = { maxSkew, topologyKey, whenUnsatisfiable: when };
    const minDomains = cr.optionalInt("minDomains");
    if (minDomains !== undefined) c.minDomains = minDomains;
    const nap = cr.optionalString("nodeAffinityPolicy");
    if (nap !== undefined) c.nodeAffinityPolicy = nap;
    const ntp = cr.optionalString("nodeTaintsPolicy");
    if (ntp !== undefined) c.nodeTaintsPolicy = ntp;
    const mlk = cr.stringList("matchLabelKeys");
    if (mlk.length > 0) c.matchLabelKeys = mlk;
    cr.done();
    for (let j = 0; j < i; j++) {
      const o = items[j]?.value as { topologyKey?: string; whenUnsatisfiable?: string };
      if (o.topologyKey === topologyKey && o.whenUnsatisfiable === when) {
        throw new InputError(
          path,
          "constraints with distinct {topologyKey, whenUnsatisfiable}",
          `{${topologyKey}, ${when}}`,
        );
      }
    }
    return c;
  });
  return { defaultConstraints: constraints, defaultingType: dt as "System" | "List" };
}

function readIpaArgs(a: { value: unknown; path: string }): InterPodAffinityArgs {
  const r = argsReader(a, "InterPodAffinityArgs");
  const hardPodAffinityWeight = r.int("hardPodAffinityWeight", 1);
  if (hardPodAffinityWeight < 0 || hardPodAffinityWeight > 100) {
    r.fail("hardPodAffinityWeight", "a value in the valid range [0, 100]", hardPodAffinityWeight);
  }
  const ignorePreferredTermsOfExistingPods = r.boolean("ignorePreferredTermsOfExistingPods", false);
  r.done();
  return { hardPodAffinityWeight, ignorePreferredTermsOfExistingPods };
}

function readPreemptionArgs(a: { value: unknown; path: string }): DefaultPreemptionArgs {
  const r = argsReader(a, "DefaultPreemptionArgs");
  const pct = r.int("minCandidateNodesPercentage", 10);
  const abs = r.int("minCandidateNodesAbsolute", 100);
  r.done();
  if (pct < 0 || pct > 100) r.fail("minCandidateNodesPercentage", "a value in the valid range [0, 100]", pct);
  if (abs < 0) r.fail("minCandidateNodesAbsolute", "a value in the valid range [0, inf)", abs);
  if (pct === 0 && abs === 0) {
    r.fail(
      "minCandidateNodesPercentage",
      "a value that is not zero at the same time as minCandidateNodesAbsolute",
      pct,
    );
  }
  return { minCandidateNodesPercentage: pct, minCandidateNodesAbsolute: abs };
}

function readNodeAffinityArgs(a: { value: unknown; path: string }): NodeAffinityArgs {
  const r = argsReader(a, "NodeAffinityArgs");
  const added = r.raw("addedAffinity");
  r.done();
  if (added === undefined) return {};
  const ar = new MapReader(added, r.at("addedAffinity"));
  const req = ar.raw("requiredDuringSchedulingIgnoredDuringExecution");
  const pref = ar.raw("preferredDuringSchedulingIgnoredDuringExecution");
  ar.done();
  const affinity: NodeAffinity = {};
  if (req !== undefined) {
    const p = ar.at("requiredDuringSchedulingIgnoredDuringExecution");
    const rr = new MapReader(req, p);
    const terms = rr.list("nodeSelectorTerms");
    rr.done();
    affinity.requiredDuringSchedulingIgnoredDuringExecution = {
      nodeSelectorTerms: terms.map((t) => t.value as NodeSelectorTerm),
    };
    const m = new NodeSelectorMatcher(
      affinity.requiredDuringSchedulingIgnoredDuringExecution,
      `${p}.nodeSelectorTerms`,
    );
    if (m.errors.length > 0) throw new InputError("", "a valid node selector", m.errors[0]);
  }
  if (pref !== undefined) {
    const p = ar.at("preferredDuringSchedulingIgnoredDuringExecution");
    if (!Array.isArray(pref)) throw new InputError(p, "a list", pref);
    affinity.preferredDuringSchedulingIgnoredDuringExecution = pref;
    const t = compilePreferredSchedulingTerms(pref);
    if (t.errors.length > 0) throw new InputError(p, "valid preferred scheduling terms", t.errors[0]);
  }
  return { addedAffinity: affinity };
}

function readVolumeBindingArgs(a: { value: unknown; path: string }): VolumeBindingArgs {
  const r = argsReader(a, "VolumeBindingArgs");
  const bindTimeoutSeconds = r.int("bindTimeoutSeconds", 600);
  if (bindTimeoutSeconds < 0) r.fail("bindTimeoutSeconds", "a non-negative value", bindTimeoutSeconds);
  if (r.has("shape")) r.fail("shape", "no shape (turn on the feature gate StorageCapacityScoring)", "a shape");
  r.raw("shape");
  r.done();
  return { bindTimeoutSeconds };
}
