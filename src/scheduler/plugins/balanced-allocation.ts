/**
 * NodeResourcesBalancedAllocation (plugins/noderesources/balanced_allocation.go): true requests,
 * and since v1.33 (PR #130260) PreScore skips best-effort pods, so the plugin adds nothing.
 */
import type { NodeResourcesBalancedAllocationArgs } from "../config/types.js";
import { SKIP, type Status, SUCCESS } from "../framework/status.js";
import type { CycleContext, Plugin } from "../framework/types.js";
import { C_BALANCED, P_SBASE } from "../nodetable/layout.js";
import { writeResourceSection } from "./node-resources-fit.js";

export class NodeResourcesBalancedAllocation implements Plugin {
  readonly name = "NodeResourcesBalancedAllocation";
  readonly code = C_BALANCED;

  constructor(private readonly args: NodeResourcesBalancedAllocationArgs) {}

  preScore(cx: CycleContext): Status {
    const req = cx.pod.req;
    const podRequest = (name: string): number => {
      if (name === "cpu") return req.milliCPU;
      if (name === "memory") return req.memory;
      if (name === "ephemeral-storage") return req.ephemeralStorage;
      return req.scalar.get(name) ?? 0;
    };
    if (this.args.resources.every((r) => podRequest(r.name) === 0)) return SKIP;
    cx.prog.pi[P_SBASE + C_BALANCED] = writeResourceSection(cx, this.args.resources, podRequest, 0, []);
    return SUCCESS;
  }
}
