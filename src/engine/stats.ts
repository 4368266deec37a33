/** Running count, mean, variance, min and max of a stream of values (Welford's method). */
export class OnlineStats {
  count = 0;
  mean = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private m2 = 0;

  /** Adds one value. */
  add(x: number): void {
    const n = ++this.count;
    const d = x - this.mean;
    this.mean += d / n;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Sample variance (n - 1 denominator); 0 with fewer than two values. */
  get variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : 0;
  }

  get stddev(): number {
    return Math.sqrt(this.variance);
  }

  get sum(): number {
    return this.mean * this.count;
  }
}

/** Time-weighted average of a piecewise-constant quantity such as queue length or busy workers. */
export class TimeWeighted {
  private area = 0;
  private last: number;
  private value = 0;
  private readonly start: number;

  constructor(startTime: number) {
    this.start = startTime;
    this.last = startTime;
  }

  /** Records that the quantity changes to `value` at time `now`. */
  set(now: number, value: number): void {
    this.area += this.value * (now - this.last);
    this.last = now;
    this.value = value;
  }

  /** Average over [start, now]. */
  average(now: number): number {
    const span = now - this.start;
    return span > 0 ? (this.area + this.value * (now - this.last)) / span : this.value;
  }

  get current(): number {
    return this.value;
  }
}
