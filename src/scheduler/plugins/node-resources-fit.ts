/**
 * NodeResourcesFit (plugins/noderesources/fit.go, resource_allocation.go, least_allocated.go,
 * most_allocated.go, requested_to_capacity_ratio.go). The per-node arithmetic is in the kernel
 * (fitFilter, fitScore); this file builds the program and prints the reasons.
 */
import { isScalarResourceName, newResourceRecord, resourceListToRecord } from "../../api/pod-resources.js";
import type { Node } from "../../api/types/core.js";
import { isQualifiedName } from "../../api/validation.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { NodeResourcesFitArgs, ResourceSpec } from "../config/types.js";
import { type Status, SUCCESS } from "../framework/status.js";
import { type CycleContext, type Plugin, PREFILTER_SUCCESS, type PreFilterOutcome } from "../framework/types.js";
import { C_FIT, P_FBASE, P_SBASE, REASON_MASK } from "../nodetable/layout.js";
import type { NodeTable } from "../nodetable/table.js";
import type { ClusterEvent } from "../queue/events.js";

/** `v1helper.IsExtendedResourceName`: a domain-prefixed name outside kubernetes.io. */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes("/") || name.includes("kubernetes.io/")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

interface FitState {
  scalars: string[];
}

/** Resource kinds in score sections: 0 cpu, 1 memory, 2 ephemeral-storage, 3 scalar, 4 never scored. */
export function resourceKind(t: NodeTable, name: string): [number, number] {
  if (name === "cpu") return [0, 0];
  if (name === "memory") return [1, 0];
  if (name === "ephemeral-storage") return [2, 0];
  if (isScalarResourceName(name)) {
    const id = t.knownScalarId(name);
    return id < 0 ? [4, 0] : [3, id];
  }
  return [4, 0];
}

/** Writes a score section [strategy, nRes, fOff, nShape, (kind, id)*] with pf [(weight, podReq)*, shape*]. */
export function writeResourceSection(
  cx: CycleContext,
  resources: readonly ResourceSpec[],
  podRequest: (name: string) => number,
  strategy: number,
  shape: readonly { utilization: number; score: number }[],
): number {
  const prog = cx.prog;
  const base = prog.allocI(4 + 2 * resources.length);
  const f = prog.allocF(2 * resources.length + 2 * shape.length);
  prog.pi[base] = strategy;
  prog.pi[base + 1] = resources.length;
  prog.pi[base + 2] = f;
  prog.pi[base + 3] = shape.length;
  resources.forEach((r, j) => {
    const [kind, id] = resourceKind(cx.table, r.name);
    prog.pi[base + 4 + 2 * j] = kind;
    prog.pi[base + 5 + 2 * j] = id;
    prog.pf[f + 2 * j] = r.weight;
    prog.pf[f + 2 * j + 1] = podRequest(r.name);
  });
  const s = f + 2 * resources.length;
  shape.forEach((pt, i) => {
    prog.pf[s + 2 * i] = pt.utilization;
    // MaxNodeScore / MaxCustomPriorityScore = 10.
    prog.pf[s + 2 * i + 1] = pt.score * 10;
  });
  return base;
}

/** Whether the pod fits an empty node's allocatable (fit.go isFit, used by queueing hints). */
function fitsEmpty(pod: PodInfo, node: Node): boolean {
  const a = resourceListToRecord(node.status?.allocatable, newResourceRecord());
  if (a.pods < 1) return false;
  if (pod.req.milliCPU > a.milliCPU || pod.req.memory > a.memory || pod.req.ephemeralStorage > a.ephemeralStorage)
    return false;
  for (const [k, v] of pod.req.scalar) if (v > (a.scalar.get(k) ?? 0)) return false;
  return true;
}

export class NodeResourcesFit implements Plugin {
  readonly name = "NodeResourcesFit";
  readonly code = C_FIT;
  private readonly ignored: ReadonlySet<string>;
  private readonly ignoredGroups: ReadonlySet<string>;
  readonly events = [
    // Any deletion of a scheduled pod frees resources (isSchedulableAfterPodEvent).
    { event: "AssignedPodDelete" as const },
    {
      event: "NodeAdd" as const,
      hint: (pod: PodInfo, e: ClusterEvent) =>
        e.kind === "NodeAdd" && fitsEmpty(pod, e.node) ? ("Queue" as const) : ("QueueSkip" as const),
    },
    {
      event: "NodeUpdate" as const,
      hint: (pod: PodInfo, e: ClusterEvent) => {
        if (e.kind !== "NodeUpdate" || !fitsEmpty(pod, e.node)) return "QueueSkip" as const;
        return JSON.stringify(e.node.status?.allocatable) !== JSON.stringify(e.oldNode.status?.allocatable) ||
          !fitsEmpty(pod, e.oldNode)
          ? ("Queue" as const)
          : ("QueueSkip" as const);
      },
    },
  ];

  constructor(private readonly args: NodeResourcesFitArgs) {
    this.ignored = new Set(args.ignoredResources);
    this.ignoredGroups = new Set(args.ignoredResourceGroups);
  }

  preFilter(cx: CycleContext): PreFilterOutcome {
    const req = cx.pod.req;
    const scalars: string[] = [];
    for (const [name, v] of req.scalar) {
      if (v === 0) continue;
      if (isExtendedResourceName(name)) {
        const prefix = name.split("/")[0] as string;
        if (this.ignored.has(name) || (this.ignoredGroups.size > 0 && this.ignoredGroups.has(prefix))) continue;
      }
      if (scalars.length < 16) scalars.push(name);
    }
    const prog = cx.prog;
    const base = prog.allocI(3 + scalars.length);
    const f = prog.allocF(3 + scalars.length);
    prog.pi[base] = f;
    prog.pi[base + 1] = scalars.length;
    prog.pi[base + 2] =
      req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0 ? 1 : 0;
    prog.pf[f] = req.milliCPU;
    prog.pf[f + 1] = req.memory;
    prog.pf[f + 2] = req.ephemeralStorage;
    scalars.forEach((name, j) => {
      prog.pi[base + 3 + j] = cx.table.scalarId(name);
      prog.pf[f + 3 + j] = req.scalar.get(name) as number;
    });
    prog.pi[P_FBASE + C_FIT] = base;
    cx.state.set(this.name, { scalars } satisfies FitState);
    return PREFILTER_SUCCESS;
  }

  filterReasons(cx: CycleContext, _slot: number, packed: number): string[] {
    const bits = packed & REASON_MASK;
    const out: string[] = [];
    if (bits & 1) out.push("Too many pods");
    if (bits & 2) out.push("Insufficient cpu");
    if (bits & 4) out.push("Insufficient memory");
    if (bits & 8) out.push("Insufficient ephemeral-storage");
    const st = cx.state.get(this.name) as FitState | undefined;
    (st?.scalars ?? []).forEach((name, j) => {
      if (bits & (16 << j)) out.push(`Insufficient ${name}`);
    });
    return out;
  }

  preScore(cx: CycleContext): Status {
    const s = this.args.scoringStrategy;
    const strategy = s.type === "LeastAllocated" ? 0 : s.type === "MostAllocated" ? 1 : 2;
    const pod = cx.pod;
    const podRequest = (name: string): number => {
      if (name === "cpu") return pod.nzCpu;
      if (name === "memory") return pod.nzMem;
      if (name === "ephemeral-storage") return pod.req.ephemeralStorage;
      return pod.req.scalar.get(name) ?? 0;
    };
    cx.prog.pi[P_SBASE + C_FIT] = writeResourceSection(
      cx,
      s.resources,
      podRequest,
      strategy,
      s.requestedToCapacityRatio?.shape ?? [],
    );
    return SUCCESS;
  }
}
