/**
 * Taints and tolerations, as k8s.io/api/core/v1/toleration.go (`ToleratesTaint`) and
 * k8s.io/component-helpers/scheduling/corev1/helpers.go (`TolerationsTolerateTaint`,
 * `FindMatchingUntoleratedTaint`) define them:
 * 1. an empty toleration effect matches every effect, otherwise the effects must be equal;
 * 2. an empty toleration key matches every key (valid only with Exists), otherwise keys are equal;
 * 3. operator "" or Equal compares values; Exists matches any value; Gt/Lt compare the values
 *    as int64 (taint value > or < toleration value; newer releases, alpha, and rejected by
 *    validation before that, so they never reach a v1.30–v1.33 scheduler); anything else is false.
 */
import { parseInt64 } from "./labels.js";
import type { Taint, Toleration } from "./types/core.js";

/** Taint effects. */
export const TAINT_EFFECT_NO_SCHEDULE = "NoSchedule";
export const TAINT_EFFECT_PREFER_NO_SCHEDULE = "PreferNoSchedule";
export const TAINT_EFFECT_NO_EXECUTE = "NoExecute";

/** Well-known taint keys (k8s.io/api/core/v1/well_known_taints.go). */
export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_NODE_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_NODE_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_NODE_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
export const TAINT_NODE_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

/** `Toleration.ToleratesTaint`. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  const effect = toleration.effect ?? "";
  if (effect !== "" && effect !== taint.effect) return false;
  const key = toleration.key ?? "";
  if (key !== "" && key !== taint.key) return false;
  switch (toleration.operator ?? "") {
    case "":
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    case "Lt":
    case "Gt": {
      const want = parseInt64(toleration.value ?? "");
      const have = parseInt64(taint.value ?? "");
      if (want === undefined || have === undefined) return false;
      return toleration.operator === "Lt" ? have < want : have > want;
    }
    default:
      return false;
  }
}

/** `TolerationsTolerateTaint`: whether any of the tolerations tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (tolerations === undefined) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/**
 * `FindMatchingUntoleratedTaint`: the first taint that passes `filter` (all taints when no
 * filter) and that no toleration tolerates, or undefined.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter?: (taint: Taint) => boolean,
): Taint | undefined {
  if (taints === undefined) return undefined;
  for (const taint of taints) {
    if (filter !== undefined && !filter(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** Filter for the taints the TaintToleration Filter checks: NoSchedule and NoExecute. */
export function isNoScheduleOrNoExecute(taint: Taint): boolean {
  return taint.effect === TAINT_EFFECT_NO_SCHEDULE || taint.effect === TAINT_EFFECT_NO_EXECUTE;
}

/** Filter for the taints TaintToleration scores: PreferNoSchedule. */
export function isPreferNoSchedule(taint: Taint): boolean {
  return taint.effect === TAINT_EFFECT_PREFER_NO_SCHEDULE;
}

/** Counts taints passing `filter` that none of the tolerations tolerates (TaintToleration's raw score). */
export function countUntoleratedTaints(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (taint: Taint) => boolean,
): number {
  if (taints === undefined) return 0;
  let n = 0;
  for (const taint of taints) if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) n++;
  return n;
}

/** `Taint.ToString()`: "key=value:effect", "key:effect" without a value, "key=value:" without an effect. */
export function taintToString(taint: Taint): string {
  const value = taint.value ?? "";
  const effect = taint.effect ?? "";
  if (value === "") return effect === "" ? taint.key : `${taint.key}:${effect}`;
  return `${taint.key}=${value}:${effect}`;
}
