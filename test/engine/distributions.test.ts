import { describe, expect, it } from "vitest";
import {
  Constant,
  type Distribution,
  EmpiricalQuantiles,
  EmpiricalSamples,
  Exponential,
  LogNormal,
  parseDistribution,
  TruncatedNormal,
  Uniform,
} from "../../src/engine/distributions.js";
import { InputError } from "../../src/engine/errors.js";
import { Rng } from "../../src/engine/rng.js";
import { normalCdf } from "../../src/engine/special.js";

const N = 200_000;

function draw(d: Distribution, seed = 3): Float64Array {
  const rng = new Rng(seed, "dist-test");
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = d.sample(rng);
  return out;
}

function moments(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
}

function quantile(xs: Float64Array, p: number): number {
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe("distributions sample what they claim", () => {
  it("constant", () => {
    const xs = draw(new Constant(7));
    expect(xs.every((x) => x === 7)).toBe(true);
  });

  it("uniform: mean, variance, quantiles", () => {
    const xs = draw(new Uniform(2, 6));
    const m = moments(xs);
    expect(m.mean).toBeCloseTo(4, 1);
    expect(rel(m.variance, 16 / 12)).toBeLessThan(0.01);
    expect(quantile(xs, 0.25)).toBeCloseTo(3, 1);
    expect(xs.every((x) => x >= 2 && x <= 6)).toBe(true);
  });

  it("exponential: mean, variance, median", () => {
    const d = new Exponential(5);
    const xs = draw(d);
    const m = moments(xs);
    expect(rel(m.mean, 5)).toBeLessThan(0.01);
    expect(rel(m.variance, 25)).toBeLessThan(0.02);
    expect(rel(quantile(xs, 0.5), 5 * Math.LN2)).toBeLessThan(0.01);
    expect(d.mean()).toBe(5);
  });

  it("normal truncated at 0: analytic truncated mean, nothing negative", () => {
    const d = new TruncatedNormal(1, 1);
    const xs = draw(d);
    const phi = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    const expectedMean = 1 + phi / (1 - normalCdf(-1));
    expect(d.mean()).toBeCloseTo(expectedMean, 12);
    expect(rel(moments(xs).mean, expectedMean)).toBeLessThan(0.01);
    expect(xs.every((x) => x >= 0)).toBe(true);
    // Far from zero the truncation vanishes: plain normal moments.
    const wide = moments(draw(new TruncatedNormal(100, 10)));
    expect(rel(wide.mean, 100)).toBeLessThan(0.002);
    expect(rel(wide.variance, 100)).toBeLessThan(0.02);
  });

  it("lognormal by median and p99 reproduces both and the analytic mean", () => {
    const d = new LogNormal(2000, 20000);
    const xs = draw(d);
    expect(rel(quantile(xs, 0.5), 2000)).toBeLessThan(0.01);
    expect(rel(quantile(xs, 0.99), 20000)).toBeLessThan(0.03);
    expect(d.quantile(0.5)).toBeCloseTo(2000, 6);
    expect(d.quantile(0.99)).toBeCloseTo(20000, 6);
    expect(rel(moments(xs).mean, d.mean())).toBeLessThan(0.02);
  });

  it("empirical from quantiles interpolates between the points", () => {
    const d = new EmpiricalQuantiles([0, 0.5, 0.9, 1], [1, 2, 10, 20]);
    const xs = draw(d);
    expect(rel(quantile(xs, 0.5), 2)).toBeLessThan(0.01);
    expect(rel(quantile(xs, 0.9), 10)).toBeLessThan(0.01);
    // Steep segment (slope 20 per unit of p): the sample quantile is noisier here.
    expect(rel(quantile(xs, 0.7), 6)).toBeLessThan(0.02);
    // Trapezoids: 0.5*1.5 + 0.4*6 + 0.1*15 = 4.65
    expect(d.mean()).toBeCloseTo(4.65, 12);
    expect(rel(moments(xs).mean, 4.65)).toBeLessThan(0.01);
  });

  it("empirical from samples returns each sample equally often", () => {
    const xs = draw(new EmpiricalSamples([5, 1, 3, 1]));
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([1, 3, 5]);
    expect(rel((counts.get(1) as number) / N, 0.5)).toBeLessThan(0.01);
    expect(rel((counts.get(5) as number) / N, 0.25)).toBeLessThan(0.02);
  });

  it("sampleInt rounds to whole units", () => {
    const rng = new Rng(1, "int");
    const d = new Exponential(1000);
    for (let i = 0; i < 1000; i++) expect(Number.isInteger(d.sampleInt(rng))).toBe(true);
  });
});

describe("parseDistribution", () => {
  it("reads every compact scenario form, durations in µs", () => {
    expect(parseDistribution("5ms", "x")).toEqual(new Constant(5000));
    expect(parseDistribution({ constant: "2s" }, "x")).toEqual(new Constant(2_000_000));
    expect(parseDistribution({ uniform: { min: "1ms", max: "3ms" } }, "x")).toEqual(new Uniform(1000, 3000));
    expect(parseDistribution({ exponential: { mean: "10ms" } }, "x")).toEqual(new Exponential(10_000));
    expect(parseDistribution({ normal: { mean: "5ms", stddev: "1ms" } }, "x")).toEqual(new TruncatedNormal(5000, 1000));
    expect(parseDistribution({ lognormal: { p50: "2ms", p99: "20ms" } }, "x")).toEqual(new LogNormal(2000, 20000));
    const q = parseDistribution({ empirical: { quantiles: { p0: "1ms", p50: "2ms", p99: "9ms", p100: "20ms" } } }, "x");
    expect(q).toEqual(new EmpiricalQuantiles([0, 0.5, 0.99, 1], [1000, 2000, 9000, 20000]));
    const s = parseDistribution({ empirical: { samples: ["1ms", "2ms"] } }, "x");
    expect(s.mean()).toBe(1500);
    expect(parseDistribution({ exponential: { mean: 3 } }, "x", "number")).toEqual(new Exponential(3));
  });

  it("names the path, what was expected and what was found", () => {
    const cases: [unknown, RegExp][] = [
      [{ lognormal: { p50: "2ms" } }, /spec\.d\.lognormal\.p99: expected a value, found nothing/],
      [{ lognormal: { p50: "2ms", p99: "1ms" } }, /spec\.d\.lognormal\.p99: expected a value >= p50/],
      [{ uniform: { min: "1ms", max: "3ms", mode: 1 } }, /spec\.d\.uniform\.mode: expected one of the fields min, max/],
      [{ exponential: { mean: "fast" } }, /spec\.d\.exponential\.mean: expected a duration.*found "fast"/],
      [{ gamma: { k: 1 } }, /spec\.d: expected a distribution/],
      [{ empirical: { quantiles: { p50: "1ms", p99: "2ms" } } }, /include p0 \(minimum\) and p100/],
      [{ empirical: { quantiles: { p0: "3ms", p100: "2ms" } } }, /do not decrease/],
      [{ empirical: { samples: [] } }, /spec\.d\.empirical\.samples: expected a non-empty list/],
      [["1ms"], /spec\.d: expected a distribution/],
    ];
    for (const [spec, re] of cases) {
      expect(() => parseDistribution(spec, "spec.d")).toThrow(InputError);
      expect(() => parseDistribution(spec, "spec.d")).toThrow(re);
    }
  });
});
