/**
 * The virtual-time cost of a scheduling cycle, computed from the work the cycle actually did.
 *
 * Every figure is a wall-time cost in µs of the real kube-scheduler at its default
 * `parallelism: 16` on the machines that ran the published scheduler_perf jobs; loops that
 * upstream spreads over goroutines (Filter, Score, the PreFilter/PreScore node and pod walks,
 * preemption dry runs) scale with `parallelFactor = min(16, cores) / min(parallelism, cores)`,
 * so `parallelism: 1` makes them 16x slower and `parallelism: 32` does not make them faster
 * unless `cores` is raised too.
 *
 * Calibration (kube-scheduler.md §7.1 thresholds, v1.31–v1.33 era, pods/s → µs per cycle):
 *
 *   SchedulingDaemonset/15000Nodes   390 → 2,564 µs. Each pod is pinned to one node by a
 *       matchFields affinity (PreFilterResult of one node), so one node is filtered and the
 *       one-feasible-node shortcut skips scoring: the cycle is almost all fixed overhead.
 *       ⇒ cycle = 2,560 µs.
 *   SchedulingBasic/5000Nodes        270 → 3,704 µs. Adaptive sampling finds 500 feasible
 *       nodes (5000·10/100), all of which are filtered and scored:
 *       (3,704 − 2,560) / 500 = 2.288 µs per node for the active plugins, split as
 *       filter 0.80 (NodeUnschedulable 0.10, NodeName 0.05, TaintToleration 0.20,
 *       NodeResourcesFit 0.45) + score 1.488 (TaintToleration 0.30, NodeResourcesFit 0.50,
 *       BalancedAllocation 0.40, ImageLocality 0.288). The split is our estimate; the sum is
 *       calibrated.
 *   SchedulingPodAntiAffinity/5000Nodes_2000Pods   60 → 16,667 µs. With ~1,500 existing pods
 *       carrying required anti-affinity on average, ~30% of nodes are rejected, so ~715 nodes
 *       are filtered (0.80 + 0.30 InterPodAffinity each) and 500 scored (1.488 each); upstream
 *       walks ~1,500 pods three times (existing anti-affinity, incoming terms, PreScore):
 *       (16,667 − 2,560 − 786 − 744) / 4,500 = 2.8 µs per pod visited.
 *   TopologySpreading/5000Nodes_5000Pods   85 → 11,765 µs. PreFilter walks every node
 *       (0.1 µs each: 500) and every pod on eligible nodes (~3,500):
 *       (11,765 − 2,560 − 500·1.0 − 744 − 500) / 3,500 = 2.1 µs per pod visited.
 *   PreemptionBasic/500Nodes   18 → 55,556 µs. The dry run visits 100 candidate nodes
 *       (max(10%, 100)): (55,556 − 2,560 − 500·0.8) / 100 ≈ 525 µs per candidate node.
 *
 * k8s-timing.md §3.2 quotes higher thresholds on current master (basic 680–810 pods/s); to
 * model that release, override `cycle` and the per-node figures (e.g. cycle 1,200).
 */
import { InputError } from "../engine/errors.js";

/** Every unit cost, keyed `<what>` or `<point>.<Plugin>[.<unit>]`. */
export const DEFAULT_COSTS = {
  /** Fixed overhead of one scheduling cycle (pop, snapshot, assume, bookkeeping), µs. */
  cycle: 2560,
  /** Cores available to the goroutines (caps `parallelism`). */
  cores: 16,
  "filter.NodeUnschedulable": 0.1,
  "filter.NodeName": 0.05,
  "filter.TaintToleration": 0.2,
  "filter.NodeAffinity": 0.2,
  "filter.NodePorts": 0.1,
  "filter.NodeResourcesFit": 0.45,
  "filter.PodTopologySpread": 0.2,
  "filter.InterPodAffinity": 0.3,
  "score.TaintToleration": 0.3,
  "score.NodeAffinity": 0.3,
  "score.NodeResourcesFit": 0.5,
  "score.PodTopologySpread": 0.3,
  "score.InterPodAffinity": 0.3,
  "score.NodeResourcesBalancedAllocation": 0.4,
  "score.ImageLocality": 0.288,
  /** PodTopologySpread PreFilter/PreScore: per node walked and per existing pod counted. */
  "prefilter.PodTopologySpread.node": 0.1,
  "prefilter.PodTopologySpread.pod": 2.1,
  "prescore.PodTopologySpread.node": 0.1,
  "prescore.PodTopologySpread.pod": 2.1,
  /** InterPodAffinity PreFilter/PreScore: per existing pod visited. */
  "prefilter.InterPodAffinity.pod": 2.8,
  "prescore.InterPodAffinity.pod": 2.8,
  /** DefaultPreemption dry run, per candidate node examined. */
  "postfilter.DefaultPreemption.node": 525,
} as const;

export type CostKey = keyof typeof DEFAULT_COSTS;
export type CostModel = Record<CostKey, number>;

/** The default model with overrides applied; unknown keys and negative values are rejected. */
export function buildCostModel(overrides: Readonly<Record<string, unknown>> = {}, path = "costModel"): CostModel {
  const model: CostModel = { ...DEFAULT_COSTS };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in DEFAULT_COSTS)) {
      throw new InputError(`${path}.${k}`, `a known cost (${Object.keys(DEFAULT_COSTS).join(", ")})`, k);
    }
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (k === "cores" && v < 1)) {
      throw new InputError(`${path}.${k}`, k === "cores" ? "a number >= 1" : "a non-negative number of µs", v);
    }
    model[k as CostKey] = v;
  }
  return model;
}

/** The work one cycle did, counted the way upstream would have done it. */
export interface CycleWork {
  /** Nodes each active Filter plugin ran on (approximated as nodes visited × active plugins). */
  nodesFiltered: number;
  activeFilters: readonly string[];
  nodesScored: number;
  activeScores: readonly string[];
  spreadPreFilterNodes: number;
  spreadPreFilterPods: number;
  spreadPreScoreNodes: number;
  spreadPreScorePods: number;
  ipaPreFilterPods: number;
  ipaPreScorePods: number;
  preemptionNodes: number;
}

export function emptyWork(): CycleWork {
  return {
    nodesFiltered: 0,
    activeFilters: [],
    nodesScored: 0,
    activeScores: [],
    spreadPreFilterNodes: 0,
    spreadPreFilterPods: 0,
    spreadPreScoreNodes: 0,
    spreadPreScorePods: 0,
    ipaPreFilterPods: 0,
    ipaPreScorePods: 0,
    preemptionNodes: 0,
  };
}

const pluginCosts = new WeakMap<CostModel, { filter: Map<string, number>; score: Map<string, number> }>();

/** The model's `<point>.<plugin>` figure, looked up once per name. */
function pluginCost(model: CostModel, point: "filter" | "score", plugin: string): number {
  let c = pluginCosts.get(model);
  if (c === undefined) {
    c = { filter: new Map(), score: new Map() };
    pluginCosts.set(model, c);
  }
  const m = c[point];
  let v = m.get(plugin);
  if (v === undefined) {
    v = (model as Record<string, number>)[`${point}.${plugin}`] ?? 0;
    m.set(plugin, v);
  }
  return v;
}

/** Virtual µs (whole) for a cycle's work under `model` and the configured `parallelism`. */
export function cycleCost(model: CostModel, parallelism: number, w: CycleWork): number {
  const cores = model.cores;
  const factor = Math.min(16, cores) / Math.max(1, Math.min(parallelism, cores));
  let perFilter = 0;
  for (const p of w.activeFilters) perFilter += pluginCost(model, "filter", p);
  let perScore = 0;
  for (const p of w.activeScores) perScore += pluginCost(model, "score", p);
  const parallel =
    perFilter * w.nodesFiltered +
    perScore * w.nodesScored +
    model["prefilter.PodTopologySpread.node"] * w.spreadPreFilterNodes +
    model["prefilter.PodTopologySpread.pod"] * w.spreadPreFilterPods +
    model["prescore.PodTopologySpread.node"] * w.spreadPreScoreNodes +
    model["prescore.PodTopologySpread.pod"] * w.spreadPreScorePods +
    model["prefilter.InterPodAffinity.pod"] * w.ipaPreFilterPods +
    model["prescore.InterPodAffinity.pod"] * w.ipaPreScorePods +
    model["postfilter.DefaultPreemption.node"] * w.preemptionNodes;
  return Math.round(model.cycle + parallel * factor);
}
