import { describe, expect, it } from "vitest";
import { type AllocItem, computeConcurrencyAllocation } from "../../../src/apiserver/flowcontrol/conc-alloc.js";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function check(required: number, items: AllocItem[]): { allocs: number[]; fairProp: number } {
  const res = computeConcurrencyAllocation(required, items);
  expect(sum(res.allocs)).toBeCloseTo(required, 6);
  items.forEach((it, i) => {
    const a = res.allocs[i] as number;
    expect(a).toBeGreaterThanOrEqual(it.lowerBound - 1e-9);
    expect(a).toBeLessThanOrEqual(it.upperBound + 1e-9);
    const t = Math.max(it.target, 0.001);
    const fair = res.fairProp * t;
    // Either proportional to the target, or pinned at the bound that the proportion crosses.
    const ok =
      Math.abs(a - fair) < 1e-6 ||
      (Math.abs(a - it.lowerBound) < 1e-9 && it.lowerBound > fair) ||
      (Math.abs(a - it.upperBound) < 1e-9 && it.upperBound < fair);
    expect(ok).toBe(true);
  });
  return res;
}

describe("computeConcurrencyAllocation", () => {
  it("scales targets when no bound binds", () => {
    const r = check(100, [
      { target: 10, lowerBound: 0, upperBound: 100 },
      { target: 40, lowerBound: 0, upperBound: 100 },
    ]);
    expect(r.allocs).toEqual([20, 80]);
    expect(r.fairProp).toBe(2);
  });

  it("pins classes at their bounds and shares the rest proportionally", () => {
    const r = check(100, [
      { target: 90, lowerBound: 10, upperBound: 30 },
      { target: 10, lowerBound: 10, upperBound: 100 },
      { target: 10, lowerBound: 10, upperBound: 100 },
    ]);
    expect(r.allocs).toEqual([30, 35, 35]);
  });

  it("gives everyone the lower bound when the lower bounds use up the sum", () => {
    expect(
      check(20, [
        { target: 50, lowerBound: 10, upperBound: 60 },
        { target: 10, lowerBound: 10, upperBound: 60 },
      ]).allocs,
    ).toEqual([10, 10]);
  });

  it("treats zero targets as a tiny positive target", () => {
    const r = check(10, [
      { target: 0, lowerBound: 0, upperBound: 100 },
      { target: 5, lowerBound: 0, upperBound: 100 },
    ]);
    expect(r.allocs[0]).toBeLessThan(0.01);
  });

  it("satisfies its contract on random problems", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 300; k++) {
      const n = 2 + Math.floor(rnd() * 7);
      const items: AllocItem[] = [];
      for (let i = 0; i < n; i++) {
        const lowerBound = Math.floor(rnd() * 50);
        const target = lowerBound + rnd() * 200;
        items.push({ lowerBound, target, upperBound: lowerBound + Math.floor(rnd() * 300) });
      }
      const low = sum(items.map((i) => i.lowerBound));
      const high = sum(items.map((i) => i.upperBound));
      const required = Math.floor(low + rnd() * (high - low));
      check(required, items);
    }
  });

  it("reports impossible problems", () => {
    expect(() => computeConcurrencyAllocation(5, [{ target: 10, lowerBound: 10, upperBound: 20 }])).toThrow(
      /lower bounds/,
    );
    expect(() => computeConcurrencyAllocation(50, [{ target: 10, lowerBound: 10, upperBound: 20 }])).toThrow(
      /upper bounds/,
    );
  });
});
