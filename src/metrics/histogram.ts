// Log-linear histogram of non-negative integers (latencies in µs), HdrHistogram-style:
// values below 256 are exact, above that each power of two is split into 128 buckets, so a
// reported quantile is within 0.8% of the true sample quantile. Counts live in one typed array.

const SUB_BITS = 8;
const SUB = 1 << SUB_BITS; // 256 exact buckets
const HALF = SUB >> 1; // 128 buckets per power of two above them
const MAX_EXP = 53;
const BUCKETS = SUB + (MAX_EXP - SUB_BITS + 1) * HALF;
const TWO32 = 2 ** 32;

function bucketOf(v: number): number {
  if (v < SUB) return v;
  const e = v < TWO32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO32));
  const shift = e - (SUB_BITS - 1);
  const top = Math.floor(v / 2 ** shift); // in [HALF, SUB)
  return SUB + (e - SUB_BITS) * HALF + (top - HALF);
}

/** Largest value that falls in bucket i. */
function bucketHigh(i: number): number {
  if (i < SUB) return i;
  const k = i - SUB;
  const e = SUB_BITS + Math.floor(k / HALF);
  const top = HALF + (k % HALF);
  const shift = e - (SUB_BITS - 1);
  return (top + 1) * 2 ** shift - 1;
}

/** A latency histogram with exact count, sum, min and max and ~0.8%-accurate quantiles. */
export class Histogram {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly counts = new Float64Array(BUCKETS);

  /** Records one value (rounded to a whole number, negatives clamp to 0). */
  record(value: number): void {
    const v = value > 0 ? Math.round(value) : 0;
    this.counts[bucketOf(v)]++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Mean of recorded values (exact). */
  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * The nearest-rank p-quantile (0 < p <= 1), reported as the highest value equivalent to its
   * bucket (never below the true sample quantile), clamped to the recorded range.
   */
  quantile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketHigh(i)));
    }
    return this.max;
  }

  /** Number of recorded values <= v (bucket resolution: values sharing v's bucket count). */
  countAtOrBelow(v: number): number {
    const b = bucketOf(Math.max(0, Math.round(v)));
    let n = 0;
    for (let i = 0; i <= b; i++) n += this.counts[i] as number;
    return n;
  }

  /** Adds another histogram's values into this one. */
  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i] as number;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Common summary figures for reports. */
  summary(): { count: number; mean: number; min: number; p50: number; p90: number; p99: number; max: number } {
    return {
      count: this.count,
      mean: this.count === 0 ? 0 : Math.round(this.mean * 1000) / 1000,
      min: this.count === 0 ? 0 : this.min,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.count === 0 ? 0 : this.max,
    };
  }
}
