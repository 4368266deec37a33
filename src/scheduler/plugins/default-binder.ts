/** DefaultBinder (plugins/defaultbinder/default_binder.go): a Binding API call through the scheduler's client. */

import type { SchedulerApi } from "../api.js";
import type { PodInfo } from "../cache/pod-info.js";
import type { Plugin } from "../framework/types.js";

export class DefaultBinder implements Plugin {
  readonly name = "DefaultBinder";
  readonly code = 0;

  bind(api: SchedulerApi, pod: PodInfo, nodeName: string, done: (error?: string) => void): void {
    api.bind(pod.pod, nodeName, done);
  }
}
