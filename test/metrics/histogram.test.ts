import { describe, expect, it } from "vitest";
import { Exponential, LogNormal } from "../../src/engine/distributions.js";
import { Rng } from "../../src/engine/rng.js";
import { Histogram } from "../../src/metrics/histogram.js";

describe("Histogram", () => {
  it("is exact below 256 and keeps count, sum, min, max exactly", () => {
    const h = new Histogram();
    for (let v = 0; v < 256; v++) h.record(v);
    expect(h.count).toBe(256);
    expect(h.quantile(0.5)).toBe(127);
    expect(h.quantile(1)).toBe(255);
    expect(h.min).toBe(0);
    expect(h.max).toBe(255);
    expect(h.mean).toBe(127.5);
  });

  it("reports quantiles within 0.8% above the exact nearest-rank quantile", () => {
    const rng = new Rng(1, "h");
    for (const d of [new Exponential(5_000), new LogNormal(2_000, 200_000), new LogNormal(3e9, 9e10)]) {
      const h = new Histogram();
      const xs: number[] = [];
      for (let i = 0; i < 50_000; i++) {
        const v = d.sampleInt(rng);
        xs.push(v);
        h.record(v);
      }
      xs.sort((a, b) => a - b);
      for (const p of [0.01, 0.5, 0.9, 0.99, 0.999]) {
        const exact = xs[Math.ceil(p * xs.length) - 1] as number;
        const got = h.quantile(p);
        expect(got).toBeGreaterThanOrEqual(exact);
        expect((got - exact) / Math.max(1, exact)).toBeLessThan(0.008);
      }
    }
  });

  it("merges and counts values at or below a threshold", () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 100; i++) a.record(i * 1000);
    for (let i = 101; i <= 200; i++) b.record(i * 1000);
    a.merge(b);
    expect(a.count).toBe(200);
    expect(a.max).toBe(200_000);
    expect(a.countAtOrBelow(50_000)).toBe(50);
    expect(a.summary()).toMatchObject({ count: 200, min: 1000, max: 200_000 });
  });

  it("handles an empty histogram", () => {
    const h = new Histogram();
    expect(h.quantile(0.99)).toBe(0);
    expect(h.summary()).toEqual({ count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });
});
