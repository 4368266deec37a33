// The Retry-After of APF's 429 responses, per priority level, on the virtual clock. Upstream
// staging/src/k8s.io/apiserver/pkg/util/flowcontrol/dropped_requests_tracker.go: start at 1 s;
// when a second begins, look at the drops of the last `retryAfter` seconds: at least
// 3 x retryAfter drops (and no increase within the last retryAfter seconds) doubles it (cap
// 32 s), fewer than retryAfter drops lowers it by one.
import type { Micros } from "../../engine/time.js";

/** Upstream maxRetryAfter. */
export const MAX_RETRY_AFTER_S = 32;

export class DroppedRequestsStats {
  private history: { unix: number; requests: number }[] = [];
  private currentUnix = 0;
  private currentCount = 0;
  private retryAfterS = 1;
  private retryAfterUpdateUnix = 0;

  /** Notes one dropped request at virtual time `now`. */
  record(now: Micros): void {
    const unix = Math.floor(now / 1e6);
    if (unix === this.currentUnix) {
      this.currentCount++;
      return;
    }
    this.updateHistory(this.currentUnix, this.currentCount);
    this.currentUnix = unix;
    this.currentCount = 1;
    this.updateRetryAfter(unix);
  }

  /** The Retry-After to send now, whole seconds. */
  get retryAfter(): number {
    return this.retryAfterS;
  }

  private updateHistory(unix: number, count: number): void {
    this.history.push({ unix, requests: count });
    let start = 0;
    while (start < this.history.length && unix - (this.history[start] as { unix: number }).unix > MAX_RETRY_AFTER_S) {
      start++;
    }
    if (start > 0) this.history = this.history.slice(start);
  }

  private updateRetryAfter(unix: number): void {
    let retryAfter = this.retryAfterS;
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i] as { unix: number; requests: number };
      if (unix - h.unix > retryAfter) break;
      if (h.unix < unix) dropped += h.requests;
    }
    if (unix - this.retryAfterUpdateUnix >= retryAfter && dropped >= 3 * retryAfter) {
      retryAfter = Math.min(retryAfter * 2, MAX_RETRY_AFTER_S);
      this.retryAfterS = retryAfter;
      this.retryAfterUpdateUnix = unix;
      return;
    }
    if (dropped < retryAfter && retryAfter > 1) this.retryAfterS = retryAfter - 1;
  }
}
