/**
 * client-go's token bucket (flowcontrol.NewTokenBucketRateLimiter over golang.org/x/time/rate):
 * `qps` tokens per second up to `burst`; each request reserves a token, possibly into debt,
 * and waits until its token exists, so requests leave in order at the limited rate.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private tokens: number;
  private last = 0;

  constructor(qps: number, burst: number) {
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Reserves a token at time `now` (µs); returns how long to wait for it (µs, rounded up). */
  reserve(now: number): number {
    if (this.qps <= 0) return 0; // QPS < 0 disables limiting in client-go; 0 is treated the same here
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1e6);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1e6) / this.qps);
  }
}
