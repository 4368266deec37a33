/**
 * Explain one scheduling decision: every node's result from every Filter plugin (with reasons),
 * every Score plugin's raw, normalized and weighted score, the totals, the node chosen and why
 * the others lost. It runs the same framework code as the scheduler, for one cycle on a fresh
 * cache built from the given cluster (nextStartNodeIndex 0, seeded tie-break stream).
 */
import type { Node, Pod, ReplicaSet, Service } from "../api/types/index.js";
import { Simulation } from "../engine/simulation.js";
import { SchedulerCache } from "./cache/cache.js";
import type { PodDisruptionBudget, ReplicationController, StatefulSet } from "./cache/objects.js";
import { PodInfo } from "./cache/pod-info.js";
import { defaultSchedulerConfig } from "./config/parse.js";
import type { SchedulerConfig } from "./config/types.js";
import { newCycleEnv } from "./framework/cycle-env.js";
import { Framework, numFeasibleNodesToFind } from "./framework/framework.js";
import { codeName } from "./framework/status.js";
import { runFilter } from "./nodetable/kernel.js";
import { C_NODE_NAME, CODE_SHIFT } from "./nodetable/layout.js";

export interface ExplainCluster {
  nodes: readonly Node[];
  /** Pods already running (spec.nodeName set); others are ignored. */
  pods: readonly Pod[];
  services?: readonly Service[];
  replicaSets?: readonly ReplicaSet[];
  statefulSets?: readonly StatefulSet[];
  replicationControllers?: readonly ReplicationController[];
  podDisruptionBudgets?: readonly PodDisruptionBudget[];
  namespaces?: readonly { metadata: { name?: string; labels?: Record<string, string> } }[];
}

export interface FilterResultJson {
  plugin: string;
  status: string;
  reasons: string[];
}

export interface ScoreResultJson {
  plugin: string;
  raw: number;
  normalized: number;
  weight: number;
  weighted: number;
}

export interface NodeExplanation {
  name: string;
  /** Position in the scan order (zone-interleaved node list). */
  order: number;
  /** Filtered in the real cycle (false: the scan stopped before reaching it). */
  evaluated: boolean;
  feasible: boolean;
  /** Every Filter plugin's verdict on the node, in profile order ("Skip" = its PreFilter skipped it). */
  filters: FilterResultJson[];
  /** The status the cycle recorded: the first failing plugin, as upstream stops there. */
  decidingFilter?: FilterResultJson;
  scores?: ScoreResultJson[];
  total?: number;
  rank?: number;
  outcome: string;
}

export interface Explanation {
  pod: string;
  schedulerName: string;
  selectedNode: string | null;
  status: string;
  message: string;
  numNodes: number;
  numFeasibleNodesToFind: number;
  percentageOfNodesToScore: number;
  evaluatedNodes: number;
  feasibleNodes: number;
  preFilter: { plugin: string; status: string; reasons: string[]; nodeNames?: string[] }[];
  preScore: { plugin: string; status: string; reasons: string[] }[];
  scorePlugins: { plugin: string; weight: number; skipped: boolean }[];
  nominatedNode?: string;
  preemptionVictims?: string[];
  why: string;
  nodes: NodeExplanation[];
}

/** Runs one traced cycle of `pod` against `cluster` and explains it. */
export function explain(
  cluster: ExplainCluster,
  pod: Pod,
  config: SchedulerConfig = defaultSchedulerConfig(),
  seed: string | number = 1,
): Explanation {
  const schedulerName = pod.spec.schedulerName ?? "default-scheduler";
  const profile = config.profiles.find((p) => p.schedulerName === schedulerName);
  if (profile === undefined) {
    throw new Error(
      `no profile with schedulerName "${schedulerName}" (profiles: ${config.profiles.map((p) => p.schedulerName).join(", ")})`,
    );
  }
  const cache = new SchedulerCache(Math.max(16, cluster.nodes.length));
  for (const ns of cluster.namespaces ?? []) cache.setNamespace(ns.metadata.name ?? "", ns.metadata.labels);
  const key = (o: { metadata: { namespace?: string; name?: string } }) =>
    `${o.metadata.namespace ?? "default"}/${o.metadata.name ?? ""}`;
  for (const s of cluster.services ?? []) cache.services.set(key(s), s);
  for (const s of cluster.replicaSets ?? []) cache.replicaSets.set(key(s), s);
  for (const s of cluster.statefulSets ?? []) cache.statefulSets.set(key(s), s);
  for (const s of cluster.replicationControllers ?? []) cache.replicationControllers.set(key(s), s);
  for (const s of cluster.podDisruptionBudgets ?? []) cache.pdbs.set(key(s), s);
  for (const n of cluster.nodes) cache.addNode(n);
  const info = new PodInfo(pod);
  for (const p of cluster.pods) {
    if (p.spec.nodeName === undefined || p.spec.nodeName === "") continue;
    if (PodInfo.keyOf(p) === info.key) continue;
    cache.addOrUpdateAssignedPod(p);
  }
  for (const p of cluster.pods) {
    const nom = p.status?.nominatedNodeName;
    if ((p.spec.nodeName ?? "") === "" && nom !== undefined && nom !== "" && PodInfo.keyOf(p) !== info.key) {
      cache.nominate(new PodInfo(p), nom);
    }
  }
  const fw = new Framework(profile, cache);
  const sim = new Simulation({ seed });
  const env = newCycleEnv({
    cache,
    rng: (stream) => sim.rng(`kube-scheduler/${stream}`),
    percentageOfNodesToScore: config.percentageOfNodesToScore,
    nodes: cluster.nodes.length,
    fusedKernel: config.kubesim.fusedKernel,
  });
  const res = fw.schedulePod(env, info, true);
  const tr = res.trace;
  const nodes = cache.nodeList();
  const pct = profile.percentageOfNodesToScore ?? config.percentageOfNodesToScore;
  const out: Explanation = {
    pod: info.key,
    schedulerName,
    selectedNode: res.node ?? null,
    status: codeName(res.status.code),
    message: res.node !== undefined ? `assigned to ${res.node}` : res.status.message,
    numNodes: nodes.length,
    numFeasibleNodesToFind: numFeasibleNodesToFind(pct, nodes.length),
    percentageOfNodesToScore: pct,
    evaluatedNodes: res.evaluatedNodes,
    feasibleNodes: res.feasibleNodes,
    preFilter: (tr?.preFilterStatuses ?? []).map((s) => ({
      plugin: s.plugin,
      status: codeName(s.status.code),
      reasons: [...s.status.reasons],
      ...(s.nodeNames === undefined ? {} : { nodeNames: s.nodeNames }),
    })),
    preScore: (tr?.preScoreStatuses ?? []).map((s) => ({
      plugin: s.plugin,
      status: codeName(s.status.code),
      reasons: [...s.status.reasons],
    })),
    scorePlugins: fw.scorePlugins.map((p) => ({
      plugin: p.name,
      weight: profile.weights[p.name] ?? 1,
      skipped: tr === undefined ? true : !tr.scorePlugins.includes(p.name),
    })),
    why: "",
    nodes: [],
  };
  if (res.nominatedNode !== undefined && res.nominatedNode !== "") out.nominatedNode = res.nominatedNode;
  if (res.postFilter?.candidate !== undefined)
    out.preemptionVictims = res.postFilter.candidate.victims.map((v) => v.info.key);
  if (tr === undefined) {
    out.why = res.status.message;
    out.nodes = nodes.map((r, i) => ({
      name: r.name,
      order: i,
      evaluated: false,
      feasible: false,
      filters: [],
      outcome: res.status.message,
    }));
    return out;
  }
  const cx = tr.cx;
  const visited = new Map(tr.visited.map((v) => [v.slot, v.packed]));
  const feasibleIndex = new Map(tr.feasible.map((slot, i) => [slot, i]));
  const totals = tr.totals;
  const selectedSlot = res.node === undefined ? -1 : (cache.nodes.get(res.node)?.slot ?? -1);
  const best = selectedSlot >= 0 && totals.length > 0 ? (totals[feasibleIndex.get(selectedSlot) ?? 0] as number) : 0;
  const tied = totals.filter((t) => t === best).length;
  const sortedTotals = [...totals].sort((a, b) => b - a);
  for (const [i, r] of nodes.entries()) {
    const filters: FilterResultJson[] = fw.filterPlugins.map((p) => {
      if (cx.skipFilter.has(p.name)) return { plugin: p.name, status: "Skip", reasons: [] };
      if (p.code === 0 || p.code >= 11) return { plugin: p.name, status: "Success", reasons: [] };
      if (p.code === C_NODE_NAME && (info.pod.spec.nodeName ?? "") === "")
        return { plugin: p.name, status: "Success", reasons: [] };
      const packed = runFilter(p.code, cx.table, cx.prog, r.slot);
      if (packed === 0) return { plugin: p.name, status: "Success", reasons: [] };
      const s = fw.statusOf(cx, r.slot, (p.code << CODE_SHIFT) | packed);
      return { plugin: p.name, status: codeName(s.code), reasons: [...s.reasons] };
    });
    const packed = visited.get(r.slot);
    const e: NodeExplanation = {
      name: r.name,
      order: i,
      evaluated: packed !== undefined,
      feasible: packed === 0,
      filters,
      outcome: "",
    };
    if (packed !== undefined && packed !== 0) {
      const s = fw.statusOf(cx, r.slot, packed);
      e.decidingFilter = { plugin: s.plugin, status: codeName(s.code), reasons: [...s.reasons] };
      e.outcome = `rejected by ${s.plugin}: ${s.reasons.join(", ")}`;
    } else if (packed === undefined) {
      e.outcome =
        res.node !== undefined
          ? `not evaluated: the scan stopped after finding ${res.feasibleNodes} feasible node(s) (numFeasibleNodesToFind = ${out.numFeasibleNodesToFind})`
          : "not evaluated";
    }
    const fi = feasibleIndex.get(r.slot);
    if (fi !== undefined && tr.scorePlugins.length > 0 && totals.length > 0) {
      e.scores = tr.scorePlugins.map((name, k) => {
        const weight = profile.weights[name] ?? 1;
        const normalized = tr.normalized[k]?.[fi] as number;
        return { plugin: name, raw: tr.raw[k]?.[fi] as number, normalized, weight, weighted: normalized * weight };
      });
      e.total = totals[fi] as number;
      e.rank = sortedTotals.indexOf(e.total) + 1;
    } else if (fi !== undefined) {
      e.total = 0;
    }
    if (e.feasible) {
      if (r.slot === selectedSlot) {
        e.outcome =
          res.feasibleNodes === 1
            ? "selected: the only feasible node (scoring skipped)"
            : tied > 1
              ? `selected: highest total ${best}, tied with ${tied - 1} other node(s); chosen uniformly at random (reservoir sampling)`
              : `selected: highest total ${best}`;
      } else if (e.total !== undefined && e.total === best) {
        e.outcome = `lost the random tie-break: same total ${best} as ${res.node}`;
      } else if (e.total !== undefined) {
        e.outcome = `lost: total ${e.total} < ${best} (${res.node})`;
      }
    }
    out.nodes.push(e);
  }
  if (res.node !== undefined) {
    const sel = out.nodes.find((n) => n.name === res.node);
    out.why = sel?.outcome ?? "";
  } else {
    out.why = res.status.message;
  }
  return out;
}

/** A fixed-width table of an explanation: one row per node. */
export function explainTable(e: Explanation): string {
  const plugins = e.scorePlugins.filter((p) => !p.skipped).map((p) => p.plugin);
  const short = (s: string) => s.replace("NodeResources", "").replace("BalancedAllocation", "Balanced");
  const header = ["NODE", "FILTER", ...plugins.map((p) => short(p)), "TOTAL", "OUTCOME"];
  const rows: string[][] = [header];
  for (const n of e.nodes) {
    const filter = !n.evaluated ? "-" : n.feasible ? "ok" : `${n.decidingFilter?.plugin ?? ""}`;
    const scores = plugins.map((p) => {
      const s = n.scores?.find((x) => x.plugin === p);
      return s === undefined ? "" : `${s.normalized}x${s.weight}`;
    });
    rows.push([n.name, filter, ...scores, n.total === undefined ? "" : String(n.total), n.outcome]);
  }
  const widths = header.map((_h, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd(),
  );
  const head = [
    `pod ${e.pod} (${e.schedulerName}): ${e.selectedNode === null ? "unschedulable" : `-> ${e.selectedNode}`}`,
    e.selectedNode === null ? e.message : e.why,
    `nodes ${e.numNodes}, evaluated ${e.evaluatedNodes}, feasible ${e.feasibleNodes}, numFeasibleNodesToFind ${e.numFeasibleNodesToFind}`,
    "",
  ];
  return `${[...head, ...lines].join("\n")}\n`;
}
