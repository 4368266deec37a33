/** ImageLocality (plugins/imagelocality/image_locality.go): favour nodes that already hold big, widespread images. */
import type { CycleContext, Plugin } from "../framework/types.js";
import { C_IMAGE_LOCALITY, I_IMG_STAMP, N_IMG_SUM, P_SBASE } from "../nodetable/layout.js";

export class ImageLocality implements Plugin {
  readonly name = "ImageLocality";
  readonly code = C_IMAGE_LOCALITY;

  /**
   * sumImageScores for every node holding one of the pod's images, stamped on the node rows:
   * Σ over containers (init and regular) of int64(size × numNodesWithImage / totalNodes).
   */
  compileScore(cx: CycleContext): void {
    const t = cx.table;
    const total = cx.cache.nodeCount;
    const stamp = cx.stamp;
    let any = 0;
    for (const name of cx.pod.images) {
      const holders = cx.cache.images.get(name);
      if (holders === undefined) continue;
      any = 1;
      const spread = holders.size / total;
      for (const [slot, size] of holders) {
        if (t.getInt(slot, I_IMG_STAMP) !== stamp) {
          t.setInt(slot, I_IMG_STAMP, stamp);
          t.setNum(slot, N_IMG_SUM, 0);
        }
        t.addNum(slot, N_IMG_SUM, Math.trunc(size * spread));
      }
    }
    const base = cx.prog.allocI(3);
    cx.prog.pi[base] = stamp;
    cx.prog.pi[base + 1] = cx.pod.numContainers;
    cx.prog.pi[base + 2] = any;
    cx.prog.pi[P_SBASE + C_IMAGE_LOCALITY] = base;
  }
}
