/** The plugin interfaces of the framework and the per-cycle context plugins work in. */

import type { NodeRecord, SchedulerCache } from "../cache/cache.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { Profile } from "../config/types.js";
import type { CycleWork } from "../cost.js";
import type { Program } from "../nodetable/program.js";
import type { NodeTable } from "../nodetable/table.js";
import type { ClusterEvent, QueueingHint } from "../queue/events.js";
import { SKIP, type Status, SUCCESS } from "./status.js";

/** Everything one scheduling cycle's plugins share (upstream: CycleState plus the snapshot). */
export class CycleContext {
  /** Plugin-private state keyed by plugin name (upstream CycleState). */
  readonly state = new Map<string, unknown>();
  /** Offset of the compiled required node affinity section (nodeSelector + required terms), or -1. */
  requiredAffinity = -1;
  /** Plugins whose PreFilter / PreScore returned Skip. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();

  constructor(
    readonly pod: PodInfo,
    readonly cache: SchedulerCache,
    readonly prog: Program,
    readonly profile: Profile,
    /** The node list in scan order (the snapshot's zone-interleaved list). */
    readonly nodes: readonly NodeRecord[],
    /** Unique per cycle, used to stamp per-node scratch columns. */
    readonly stamp: number,
    readonly work: CycleWork,
  ) {}

  get table(): NodeTable {
    return this.cache.table;
  }

  /** Labels of the pod's namespace (undefined when the namespace object is unknown). */
  get namespaceLabels(): Readonly<Record<string, string>> | undefined {
    return this.cache.namespaces.get(this.pod.namespace);
  }
}

/** What PreFilter returns: a status and, optionally, the node names the pod is restricted to. */
export interface PreFilterOutcome {
  status: Status;
  nodeNames?: ReadonlySet<string>;
}

/** Shared outcomes for the common cases (no allocation per cycle). */
export const PREFILTER_SUCCESS: PreFilterOutcome = Object.freeze({ status: SUCCESS });
export const PREFILTER_SKIP: PreFilterOutcome = Object.freeze({ status: SKIP });

/** A cluster event a plugin cares about, with its queueing hint. */
export interface EventRegistration {
  event: ClusterEvent["kind"];
  hint?: (pod: PodInfo, e: ClusterEvent) => QueueingHint;
}

export interface Plugin {
  readonly name: string;
  /** Kernel plugin code (0 when the plugin has no per-node work in the kernel). */
  readonly code: number;
  /** PreEnqueue: undefined = may enter activeQ. */
  preEnqueue?(pod: PodInfo): Status | undefined;
  /** PreFilter: computes per-pod state into the program. */
  preFilter?(cx: CycleContext): PreFilterOutcome;
  /** For filter plugins without PreFilter: writes the program section the kernel reads. */
  compileFilter?(cx: CycleContext): void;
  /** Reason strings for this plugin's packed filter result on a node. */
  filterReasons?(cx: CycleContext, slot: number, packed: number): string[];
  /** PreFilterExtensions: a pod is added to / removed from a node in a what-if evaluation. */
  addPod?(cx: CycleContext, pod: PodInfo, slot: number): void;
  removePod?(cx: CycleContext, pod: PodInfo, slot: number): void;
  /**
   * True when PreScore would certainly return Skip for this pod, decided without side effects
   * (lets the framework fuse filtering and scoring).
   */
  wouldSkipPreScore?(cx: CycleContext): boolean;
  /** PreScore over the feasible nodes. */
  preScore?(cx: CycleContext, feasible: Int32Array, n: number): Status;
  /** For score plugins without PreScore: writes the program section the kernel reads. */
  compileScore?(cx: CycleContext, feasible: Int32Array, n: number): void;
  /** NormalizeScore over this plugin's raw scores `scores[off .. off+n)`. */
  normalize?(cx: CycleContext, scores: Float64Array, off: number, n: number, feasible: Int32Array): void;
  /** Cluster events that may make a pod this plugin rejected schedulable (EventsToRegister). */
  readonly events?: readonly EventRegistration[];
}
