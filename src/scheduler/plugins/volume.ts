/**
 * VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone: kubesim does not model
 * volumes, and upstream's versions pass every node for pods without PVCs or volumes (their
 * PreFilters return Skip), so these keep their names and extension points but never reject.
 */
import { type Plugin, PREFILTER_SKIP, PREFILTER_SUCCESS, type PreFilterOutcome } from "../framework/types.js";
import { C_NODE_VOLUME_LIMITS, C_VOLUME_BINDING, C_VOLUME_RESTRICTIONS, C_VOLUME_ZONE } from "../nodetable/layout.js";

class VolumeNoop implements Plugin {
  constructor(
    readonly name: string,
    readonly code: number,
    private readonly hasPreFilter: boolean,
  ) {}

  preFilter(): PreFilterOutcome {
    return this.hasPreFilter ? PREFILTER_SKIP : PREFILTER_SUCCESS;
  }
}

export function volumeRestrictions(): Plugin {
  return new VolumeNoop("VolumeRestrictions", C_VOLUME_RESTRICTIONS, true);
}

export function nodeVolumeLimits(): Plugin {
  return { name: "NodeVolumeLimits", code: C_NODE_VOLUME_LIMITS };
}

export function volumeBinding(): Plugin {
  return new VolumeNoop("VolumeBinding", C_VOLUME_BINDING, true);
}

export function volumeZone(): Plugin {
  return new VolumeNoop("VolumeZone", C_VOLUME_ZONE, true);
}
