import { describe, expect, it } from "vitest";
import { Constant, Exponential } from "../../src/engine/distributions.js";
import { erlangC, mmcMeanWait } from "../../src/engine/queueing-theory.js";
import { Server } from "../../src/engine/server.js";
import { Simulation } from "../../src/engine/simulation.js";

/** Runs `customers` Poisson arrivals through an M/M/c server and returns it. */
function runMMc(c: number, rho: number, customers: number, seed: number): Server<number> {
  const meanService = 10_000; // µs; large enough that rounding to whole µs is negligible
  const sim = new Simulation({ seed });
  const server = new Server<number>(sim, { name: "mmc", workers: c, service: new Exponential(meanService) });
  const interarrival = new Exponential(meanService / (c * rho));
  const rng = sim.rng("arrivals");
  let sent = 0;
  const arrive = () => {
    server.submit(sent++);
    if (sent < customers) sim.after(interarrival.sampleInt(rng), arrive);
  };
  sim.at(0, arrive);
  sim.runUntilIdle();
  return server;
}

describe("Erlang C helper", () => {
  it("matches textbook values", () => {
    // M/M/1: P(wait) = rho.
    expect(erlangC(1, 0.9)).toBeCloseTo(0.9, 12);
    // M/M/2 with a = 1: C = 1/3.
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    // M/M/1 mean wait = rho / (mu - lambda).
    expect(mmcMeanWait(1, 0.5, 1)).toBeCloseTo(1, 12);
  });
});

describe("Server reproduces queueing theory", () => {
  // Enough customers that the sample mean's standard error is at most ~1%, so 3% is a 3-sigma
  // bound rather than a lucky seed (measured across 8 seeds: 1.5% spread at 2M customers for
  // M/M/4 at 0.9; the M/M/1 waiting-time mean has variance ~ rho(2+5rho-4rho^2+rho^3)/(1-rho)^4/n).
  const cases = [
    { c: 1, rho: 0.5, customers: 1_000_000 },
    { c: 1, rho: 0.9, customers: 6_000_000 },
    { c: 4, rho: 0.5, customers: 1_500_000 },
    { c: 4, rho: 0.9, customers: 6_000_000 },
  ];
  it.each(cases)(
    "M/M/$c at utilisation $rho: mean wait within 3% of Erlang C",
    ({ c, rho, customers }) => {
      const server = runMMc(c, rho, customers, 11);
      const mu = 1 / 10_000;
      const analytic = mmcMeanWait(c, rho * c * mu, mu);
      expect(server.completed).toBe(customers);
      expect(Math.abs(server.waiting.mean - analytic) / analytic).toBeLessThan(0.03);
      expect(server.serviceTimes.mean).toBeGreaterThan(10_000 * 0.99);
      expect(server.serviceTimes.mean).toBeLessThan(10_000 * 1.01);
      expect(server.utilization()).toBeGreaterThan(rho * 0.98);
      expect(server.utilization()).toBeLessThan(rho * 1.02);
    },
    60_000,
  );
});

describe("Server disciplines and limits", () => {
  it("serves FIFO by default and records waits exactly", () => {
    const sim = new Simulation();
    const done: [number, number, number][] = [];
    const s = new Server<string>(sim, {
      name: "s",
      workers: 1,
      service: new Constant(10),
      onComplete: (job, wait, svc) => done.push([Number(job), wait, svc]),
    });
    for (let i = 0; i < 3; i++) s.submit(String(i));
    sim.runUntilIdle();
    expect(done).toEqual([
      [0, 0, 10],
      [1, 10, 10],
      [2, 20, 10],
    ]);
    expect(sim.now).toBe(30);
  });

  it("serves higher priority first and FIFO among equals", () => {
    const sim = new Simulation();
    const order: string[] = [];
    const s = new Server<string>(sim, {
      name: "p",
      workers: 1,
      discipline: "priority",
      service: new Constant(1),
      onComplete: (job) => order.push(job),
    });
    s.submit("first"); // starts at once
    const jobs: [string, number][] = [
      ["low-a", 0],
      ["high-a", 5],
      ["low-b", 0],
      ["mid", 2],
      ["high-b", 5],
      ["low-c", 0],
    ];
    for (const [name, p] of jobs) s.submit(name, -1, p);
    sim.runUntilIdle();
    expect(order).toEqual(["first", "high-a", "high-b", "mid", "low-a", "low-b", "low-c"]);
  });

  it("keeps FIFO order across ring-buffer growth", () => {
    const sim = new Simulation();
    const order: number[] = [];
    const s = new Server<number>(sim, {
      name: "g",
      workers: 2,
      service: new Constant(3),
      onComplete: (j) => order.push(j),
    });
    for (let i = 0; i < 500; i++) {
      sim.at(i, (j: number) => s.submit(j), i);
    }
    sim.runUntilIdle();
    expect(order).toEqual([...Array(500).keys()]);
  });

  it("rejects jobs beyond the queue limit and uses per-job service times", () => {
    const sim = new Simulation();
    const s = new Server<number>(sim, { name: "l", workers: 1, queueLimit: 2 });
    expect(s.submit(1, 100)).toBe(true);
    expect(s.submit(2, 100)).toBe(true);
    expect(s.submit(3, 100)).toBe(true);
    expect(s.submit(4, 100)).toBe(false);
    expect(s.rejected).toBe(1);
    expect(s.queued).toBe(2);
    sim.runUntilIdle();
    expect(sim.now).toBe(300);
    expect(s.completed).toBe(3);
  });

  it("reports time-averaged queue length and utilisation", () => {
    const sim = new Simulation();
    const s = new Server<number>(sim, { name: "u", workers: 2, service: new Constant(100) });
    s.submit(1);
    s.submit(2);
    s.submit(3); // waits 100
    sim.runUntil(400);
    // Busy: 2 workers for [0,100), 1 for [100,200), 0 after; over 400 µs = (200+100)/400/2.
    expect(s.utilization()).toBeCloseTo(300 / 400 / 2, 12);
    expect(s.queueLength.average(400)).toBeCloseTo(100 / 400, 12);
  });
});
