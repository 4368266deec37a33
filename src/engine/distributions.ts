import { InputError } from "./errors.js";
import type { Rng } from "./rng.js";
import { normalCdf, normalQuantile } from "./special.js";
import { parseDuration } from "./time.js";

/**
 * A distribution of non-negative values (durations in µs, sizes, counts). Every sampler
 * consumes exactly one uniform draw per sample, so streams stay aligned across parameter
 * changes and a sample can be reproduced from its draw.
 */
export interface Distribution {
  /** Short description, e.g. `lognormal(p50=2ms, p99=20ms)`. */
  readonly text: string;
  /** Draws one value. */
  sample(rng: Rng): number;
  /** Draws one value rounded to a whole number (for durations in µs). */
  sampleInt(rng: Rng): number;
  /** The value below which fraction p of samples fall. */
  quantile(p: number): number;
  /** Analytic mean. */
  mean(): number;
}

abstract class Base implements Distribution {
  abstract readonly text: string;
  abstract quantile(p: number): number;
  abstract mean(): number;
  sample(rng: Rng): number {
    return this.quantile(rng.next());
  }
  sampleInt(rng: Rng): number {
    return Math.round(this.sample(rng));
  }
}

/** Always the same value. */
export class Constant extends Base {
  readonly text: string;
  constructor(readonly value: number) {
    super();
    this.text = `constant(${value})`;
  }
  override sample(): number {
    return this.value;
  }
  quantile(): number {
    return this.value;
  }
  mean(): number {
    return this.value;
  }
}

/** Uniform on [min, max]. */
export class Uniform extends Base {
  readonly text: string;
  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    super();
    this.text = `uniform(${min}, ${max})`;
  }
  quantile(p: number): number {
    return this.min + (this.max - this.min) * p;
  }
  mean(): number {
    return (this.min + this.max) / 2;
  }
}

/** Exponential with the given mean (memoryless inter-arrival and service times). */
export class Exponential extends Base {
  readonly text: string;
  constructor(readonly meanValue: number) {
    super();
    this.text = `exponential(mean=${meanValue})`;
  }
  override sample(rng: Rng): number {
    return -this.meanValue * Math.log(rng.nextOpen());
  }
  quantile(p: number): number {
    return -this.meanValue * Math.log(1 - p);
  }
  mean(): number {
    return this.meanValue;
  }
}

/** Normal(mean, stddev) truncated to [0, ∞): sampled by inverse CDF over the kept mass. */
export class TruncatedNormal extends Base {
  readonly text: string;
  private readonly lowMass: number;
  constructor(
    readonly mu: number,
    readonly sigma: number,
  ) {
    super();
    this.text = `normal(mean=${mu}, stddev=${sigma}, >=0)`;
    this.lowMass = sigma === 0 ? 0 : normalCdf(-mu / sigma);
  }
  quantile(p: number): number {
    if (this.sigma === 0) return Math.max(0, this.mu);
    const q = this.lowMass + p * (1 - this.lowMass);
    return Math.max(0, this.mu + this.sigma * normalQuantile(q));
  }
  mean(): number {
    if (this.sigma === 0) return Math.max(0, this.mu);
    // Mean of a normal truncated below at 0: mu + sigma * phi(a) / (1 - Phi(a)), a = -mu/sigma.
    const a = -this.mu / this.sigma;
    const phi = Math.exp((-a * a) / 2) / Math.sqrt(2 * Math.PI);
    return this.mu + (this.sigma * phi) / (1 - this.lowMass);
  }
}

/** z-score of the 99th percentile of the standard normal. */
export const Z99 = normalQuantile(0.99);

/**
 * Log-normal given by its median and 99th percentile, the way latency figures are published:
 * mu = ln(p50), sigma = (ln(p99) - ln(p50)) / z(0.99).
 */
export class LogNormal extends Base {
  readonly text: string;
  readonly mu: number;
  readonly sigma: number;
  constructor(
    readonly p50: number,
    readonly p99: number,
  ) {
    super();
    this.text = `lognormal(p50=${p50}, p99=${p99})`;
    this.mu = Math.log(p50);
    this.sigma = (Math.log(p99) - Math.log(p50)) / Z99;
  }
  quantile(p: number): number {
    return Math.exp(this.mu + this.sigma * normalQuantile(p));
  }
  mean(): number {
    return Math.exp(this.mu + (this.sigma * this.sigma) / 2);
  }
}

/** Empirical distribution from quantile points (piecewise-linear inverse CDF between them). */
export class EmpiricalQuantiles extends Base {
  readonly text: string;
  constructor(
    readonly probs: readonly number[],
    readonly values: readonly number[],
  ) {
    super();
    this.text = `empirical(${probs.map((p, i) => `p${+(p * 100).toFixed(4)}=${values[i]}`).join(", ")})`;
  }
  quantile(p: number): number {
    const ps = this.probs;
    const vs = this.values;
    let hi = 1;
    while (hi < ps.length - 1 && (ps[hi] as number) < p) hi++;
    const p0 = ps[hi - 1] as number;
    const p1 = ps[hi] as number;
    const v0 = vs[hi - 1] as number;
    const v1 = vs[hi] as number;
    return p1 === p0 ? v1 : v0 + ((v1 - v0) * (p - p0)) / (p1 - p0);
  }
  mean(): number {
    // Integral of the piecewise-linear inverse CDF: trapezoids.
    let m = 0;
    for (let i = 1; i < this.probs.length; i++) {
      const dp = (this.probs[i] as number) - (this.probs[i - 1] as number);
      m += (dp * ((this.values[i] as number) + (this.values[i - 1] as number))) / 2;
    }
    return m;
  }
}

/** Empirical distribution from observed samples: each draw returns one sample, uniformly. */
export class EmpiricalSamples extends Base {
  readonly text: string;
  private readonly sorted: Float64Array;
  constructor(samples: readonly number[]) {
    super();
    this.sorted = Float64Array.from(samples).sort();
    this.text = `empirical(${samples.length} samples)`;
  }
  override sample(rng: Rng): number {
    // Sorted, so draw u maps monotonically to the value (same as quantile(u)).
    return this.sorted[rng.int(this.sorted.length)] as number;
  }
  quantile(p: number): number {
    const i = Math.min(this.sorted.length - 1, Math.floor(p * this.sorted.length));
    return this.sorted[i] as number;
  }
  mean(): number {
    let s = 0;
    for (const v of this.sorted) s += v;
    return s / this.sorted.length;
  }
}

/** How plain numbers inside a distribution spec are read. */
export type ValueKind = "duration" | "number";

const FORMS =
  "a distribution: a duration, or one of {constant: X}, {uniform: {min, max}}, {exponential: {mean}}, " +
  "{normal: {mean, stddev}}, {lognormal: {p50, p99}}, {empirical: {quantiles: {p0, ..., p100}} | {samples: [...]}}";

/**
 * Parses the compact scenario form of a distribution, e.g. `{lognormal: {p50: 2ms, p99: 20ms}}`
 * or `"5ms"` (constant). Durations become microseconds. Errors name `path`.
 */
export function parseDistribution(spec: unknown, path: string, kind: ValueKind = "duration"): Distribution {
  const value = (v: unknown, p: string): number => readValue(v, p, kind);
  if (typeof spec === "string" || typeof spec === "number") return new Constant(value(spec, path));
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw new InputError(path, FORMS, spec);
  const keys = Object.keys(spec);
  if (keys.length !== 1) throw new InputError(path, `${FORMS} (exactly one key)`, spec);
  const form = keys[0] as string;
  const body = (spec as Record<string, unknown>)[form];
  const at = `${path}.${form}`;
  switch (form) {
    case "constant":
      return new Constant(value(body, at));
    case "uniform": {
      const o = fields(body, at, ["min", "max"]);
      const min = value(o.min, `${at}.min`);
      const max = value(o.max, `${at}.max`);
      if (max < min) throw new InputError(`${at}.max`, `a value >= min (${min})`, o.max);
      return new Uniform(min, max);
    }
    case "exponential": {
      const o = fields(body, at, ["mean"]);
      const mean = value(o.mean, `${at}.mean`);
      if (mean <= 0) throw new InputError(`${at}.mean`, "a positive mean", o.mean);
      return new Exponential(mean);
    }
    case "normal": {
      const o = fields(body, at, ["mean", "stddev"]);
      return new TruncatedNormal(value(o.mean, `${at}.mean`), value(o.stddev, `${at}.stddev`));
    }
    case "lognormal": {
      const o = fields(body, at, ["p50", "p99"]);
      const p50 = value(o.p50, `${at}.p50`);
      const p99 = value(o.p99, `${at}.p99`);
      if (p50 <= 0) throw new InputError(`${at}.p50`, "a positive median", o.p50);
      if (p99 < p50) throw new InputError(`${at}.p99`, `a value >= p50 (${p50})`, o.p99);
      return new LogNormal(p50, p99);
    }
    case "empirical":
      return parseEmpirical(body, at, value);
    default:
      throw new InputError(path, FORMS, spec);
  }
}

function parseEmpirical(body: unknown, at: string, value: (v: unknown, p: string) => number): Distribution {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InputError(at, "{quantiles: {p0: .., p100: ..}} or {samples: [..]}", body);
  }
  const b = body as Record<string, unknown>;
  if ("samples" in b) {
    const list = b.samples;
    if (!Array.isArray(list) || list.length === 0) throw new InputError(`${at}.samples`, "a non-empty list", list);
    return new EmpiricalSamples(list.map((v, i) => value(v, `${at}.samples[${i}]`)));
  }
  if ("quantiles" in b) {
    const q = b.quantiles;
    if (q === null || typeof q !== "object" || Array.isArray(q)) {
      throw new InputError(`${at}.quantiles`, "a map like {p0: 1ms, p50: 2ms, p99: 9ms, p100: 20ms}", q);
    }
    const points: [number, number][] = [];
    for (const [k, v] of Object.entries(q)) {
      const m = /^p(\d+(?:\.\d+)?)$/.exec(k);
      const prob = m === null ? Number.NaN : Number(m[1]) / 100;
      if (!(prob >= 0 && prob <= 1)) throw new InputError(`${at}.quantiles.${k}`, "a key p0 .. p100", k);
      points.push([prob, value(v, `${at}.quantiles.${k}`)]);
    }
    points.sort((x, y) => x[0] - y[0]);
    if (points.length < 2 || points[0]?.[0] !== 0 || points[points.length - 1]?.[0] !== 1) {
      // Tails cannot be guessed: ask for the extremes rather than inventing them.
      throw new InputError(`${at}.quantiles`, "quantiles that include p0 (minimum) and p100 (maximum)", q);
    }
    for (let i = 1; i < points.length; i++) {
      if ((points[i]?.[1] as number) < (points[i - 1]?.[1] as number)) {
        throw new InputError(`${at}.quantiles`, "values that do not decrease as the quantile grows", q);
      }
    }
    return new EmpiricalQuantiles(
      points.map((p) => p[0]),
      points.map((p) => p[1]),
    );
  }
  throw new InputError(at, "{quantiles: {...}} or {samples: [...]}", body);
}

function fields(body: unknown, at: string, names: string[]): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InputError(at, `a map with ${names.join(", ")}`, body);
  }
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!names.includes(k)) throw new InputError(`${at}.${k}`, `one of the fields ${names.join(", ")}`, k);
  }
  for (const n of names) if (!(n in o)) throw new InputError(`${at}.${n}`, "a value", undefined);
  return o;
}

function readValue(v: unknown, path: string, kind: ValueKind): number {
  if (kind === "duration") {
    const us = parseDuration(v, path);
    if (us < 0) throw new InputError(path, "a non-negative duration", v);
    return us;
  }
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new InputError(path, "a non-negative number", v);
  return v;
}
