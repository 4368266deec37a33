/** Builds a profile's plugin instances (framework/plugins/registry.go, in-tree plugins only). */
import type { SchedulerCache } from "../cache/cache.js";
import type { Profile } from "../config/types.js";
import type { Plugin } from "../framework/types.js";
import { NodeResourcesBalancedAllocation } from "./balanced-allocation.js";
import { DefaultBinder } from "./default-binder.js";
import { DefaultPreemption } from "./default-preemption.js";
import { ImageLocality } from "./image-locality.js";
import { InterPodAffinity } from "./inter-pod-affinity.js";
import { NodeAffinity } from "./node-affinity.js";
import { NodeName } from "./node-name.js";
import { NodePorts } from "./node-ports.js";
import { NodeResourcesFit } from "./node-resources-fit.js";
import { NodeUnschedulable } from "./node-unschedulable.js";
import { PodTopologySpread } from "./pod-topology-spread.js";
import { PrioritySort } from "./priority-sort.js";
import { SchedulingGates } from "./scheduling-gates.js";
import { TaintToleration } from "./taint-toleration.js";
import { nodeVolumeLimits, volumeBinding, volumeRestrictions, volumeZone } from "./volume.js";

/** Instantiates every plugin the profile uses at any extension point. */
export function createPlugins(profile: Profile, cache: SchedulerCache): Map<string, Plugin> {
  const names = new Set<string>();
  for (const list of Object.values(profile.points)) for (const n of list) names.add(n);
  const a = profile.args;
  const make: Record<string, () => Plugin> = {
    SchedulingGates: () => new SchedulingGates(),
    PrioritySort: () => new PrioritySort(),
    NodeUnschedulable: () => new NodeUnschedulable(),
    NodeName: () => new NodeName(),
    TaintToleration: () => new TaintToleration(),
    NodeAffinity: () => new NodeAffinity(a.NodeAffinity),
    NodePorts: () => new NodePorts(),
    NodeResourcesFit: () => new NodeResourcesFit(a.NodeResourcesFit),
    VolumeRestrictions: volumeRestrictions,
    NodeVolumeLimits: nodeVolumeLimits,
    VolumeBinding: volumeBinding,
    VolumeZone: volumeZone,
    PodTopologySpread: () => new PodTopologySpread(a.PodTopologySpread, cache),
    InterPodAffinity: () => new InterPodAffinity(a.InterPodAffinity),
    DefaultPreemption: () => new DefaultPreemption(a.DefaultPreemption),
    NodeResourcesBalancedAllocation: () => new NodeResourcesBalancedAllocation(a.NodeResourcesBalancedAllocation),
    ImageLocality: () => new ImageLocality(),
    DefaultBinder: () => new DefaultBinder(),
  };
  const out = new Map<string, Plugin>();
  for (const n of names) {
    const f = make[n];
    if (f !== undefined) out.set(n, f());
  }
  return out;
}
