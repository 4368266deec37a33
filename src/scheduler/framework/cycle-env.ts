import type { Rng } from "../../engine/rng.js";
import type { SchedulerCache } from "../cache/cache.js";
import { ScanBuffers } from "../nodetable/buffers.js";
import { type Evaluator, SerialEvaluator } from "../nodetable/evaluator.js";
import { Program } from "../nodetable/program.js";
import type { CycleEnv } from "./framework.js";

/** What a new cycle environment is made from. */
export interface CycleEnvOptions {
  cache: SchedulerCache;
  /** The named random streams ("selectHost", "preemption"), e.g. an actor's own. */
  rng: (stream: string) => Rng;
  /** The global percentageOfNodesToScore. */
  percentageOfNodesToScore: number;
  /** Initial size of the scan buffers (they grow as needed). */
  nodes?: number;
  /** Default: the main thread alone. */
  evaluator?: Evaluator;
  /** "wasm" puts the scan buffers in the node table's arena, so the fused pass runs in WebAssembly. */
  fusedKernel?: "wasm" | "js";
}

/** A fresh scheduling-cycle environment: scan buffers, program, streams, round-robin start. */
export function newCycleEnv(o: CycleEnvOptions): CycleEnv {
  return {
    cache: o.cache,
    prog: new Program(),
    buffers: new ScanBuffers(o.nodes ?? 64, 8, o.fusedKernel === "wasm" ? o.cache.table.arena : undefined),
    evaluator: o.evaluator ?? new SerialEvaluator(),
    hostRng: o.rng("selectHost"),
    preemptionRng: o.rng("preemption"),
    percentageOfNodesToScore: o.percentageOfNodesToScore,
    now: 0,
    nextStartNodeIndex: 0,
    stamp: 0,
  };
}
