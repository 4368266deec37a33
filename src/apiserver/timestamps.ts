import { formatTimestamp } from "../api/time.js";

/** A metav1.Time as kube-apiserver stores it: truncated to whole seconds. */
export function secondsTimestamp(us: number): string {
  return formatTimestamp(Math.floor(us / 1_000_000) * 1_000_000);
}
