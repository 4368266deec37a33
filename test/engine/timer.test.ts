import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/engine/simulation.js";
import { PeriodicTimer } from "../../src/engine/timer.js";

function ticks(opts: ConstructorParameters<typeof PeriodicTimer>[1], work = 0, until = 1000): number[] {
  const sim = new Simulation({ seed: 5 });
  const at: number[] = [];
  new PeriodicTimer(sim, opts, () => {
    at.push(sim.now);
    return work;
  }).start();
  sim.runUntil(until);
  return at;
}

describe("PeriodicTimer (wait.JitterUntil semantics)", () => {
  it("ticks immediately, then every period", () => {
    expect(ticks({ period: 100 }, 0, 450)).toEqual([0, 100, 200, 300, 400]);
  });

  it("can wait one period before the first tick", () => {
    expect(ticks({ period: 100, immediate: false }, 0, 450)).toEqual([100, 200, 300, 400]);
  });

  it("sliding: the period starts after the tick's work", () => {
    expect(ticks({ period: 100, sliding: true }, 30, 500)).toEqual([0, 130, 260, 390]);
  });

  it("non-sliding: the period starts with the tick; an overrunning tick is followed at once", () => {
    expect(ticks({ period: 100, sliding: false }, 30, 450)).toEqual([0, 100, 200, 300, 400]);
    expect(ticks({ period: 100, sliding: false }, 150, 700)).toEqual([0, 150, 300, 450, 600]);
  });

  it("jitter draws each wait uniformly in [period, period * (1 + factor))", () => {
    const sim = new Simulation({ seed: 5 });
    const at: number[] = [];
    new PeriodicTimer(sim, { period: 1000, jitterFactor: 0.5, rng: sim.rng("j") }, () => {
      at.push(sim.now);
      return undefined;
    }).start();
    sim.runUntil(20_000_000);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...gaps)).toBeLessThan(1500);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    expect(Math.abs(mean - 1250) / 1250).toBeLessThan(0.01);
  });

  it("stops from inside a tick or from outside", () => {
    const sim = new Simulation();
    let n = 0;
    const t = new PeriodicTimer(sim, { period: 10 }, () => {
      if (++n === 3) t.stop();
      return undefined;
    }).start();
    sim.runUntil(1000);
    expect(n).toBe(3);
    const sim2 = new Simulation();
    let m = 0;
    const t2 = new PeriodicTimer(sim2, { period: 10 }, () => {
      m++;
      return undefined;
    }).start();
    sim2.runUntil(25);
    t2.stop();
    sim2.runUntilIdle();
    expect(m).toBe(3);
    expect(t2.isRunning).toBe(false);
  });

  it("refuses a jittered timer without a random stream and a bad period", () => {
    const sim = new Simulation();
    expect(() => new PeriodicTimer(sim, { period: 10, jitterFactor: 0.1 }, () => undefined)).toThrow(/rng/);
    expect(() => new PeriodicTimer(sim, { period: 0 }, () => undefined)).toThrow(/period/);
  });
});
