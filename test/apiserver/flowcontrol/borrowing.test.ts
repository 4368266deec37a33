import { describe, expect, it } from "vitest";
import { ApfFlowControl, type ApfOptions } from "../../../src/apiserver/flowcontrol/apf.js";
import { Simulation } from "../../../src/engine/simulation.js";
import { MILLISECOND as MS, SECOND } from "../../../src/engine/time.js";
import { Driver, kubeletLeaseUpdate, userGet } from "./helpers.js";

const LEVELS = [
  "system",
  "node-high",
  "leader-election",
  "workload-high",
  "workload-low",
  "global-default",
  "catch-all",
];

function currentCLs(apf: ApfFlowControl): Record<string, number> {
  return Object.fromEntries(LEVELS.map((n) => [n, apf.level(n)?.currentCL as number]));
}

describe("APF borrowing between priority levels", () => {
  it("starts from the zero-demand allocation: limits proportional to the lower bounds", () => {
    const apf = new ApfFlowControl(new Simulation());
    // 602 nominal seats shared in proportion to minCL (sum 258): upstream's state at startup.
    expect(currentCLs(apf)).toEqual({
      system: 117,
      "node-high": 170,
      "leader-election": 58,
      "workload-high": 114,
      "workload-low": 56,
      "global-default": 56,
      "catch-all": 30,
    });
    apf.stop();
  });

  it("lends an idle level's seats to a busy one within its bounds after the 10 s adjustment", () => {
    const sim = new Simulation({ seed: 3 });
    const apf = new ApfFlowControl(sim);
    const drv = new Driver(sim, apf);
    // 400 kubectl users each keep one 200 ms request going: demand ~400 seats in global-default.
    for (let u = 0; u < 400; u++) drv.loop(`u${u}/`, userGet(`user-${u}`), 200 * MS, 60 * SECOND);
    sim.runUntil(10 * SECOND - 1);
    const before = apf.level("global-default");
    expect(before?.currentCL).toBe(56);
    const peakBefore = apf.stats().levels.find((l) => l.name === "global-default")?.peakSeatsInUse;
    expect(peakBefore).toBe(56);

    sim.runUntil(10 * SECOND);
    const after = apf.level("global-default");
    expect(after?.currentCL).toBeGreaterThan(300);
    // Busy global-default now holds far more than its nominal 49, within maxCL = 649: every idle
    // level lent all it may (down to its minCL = nominal - lendable), so global-default gets
    // 602 - (50 + 73 + 25 + 49 + 24 + 13) = 368.
    expect(currentCLs(apf)).toEqual({
      system: 50,
      "node-high": 73,
      "leader-election": 25,
      "workload-high": 49,
      "workload-low": 24,
      "global-default": 368,
      "catch-all": 13,
    });
    expect(after?.currentCL).toBeLessThanOrEqual(after?.maxCL as number);
    expect(after?.seatDemand.highWatermark).toBeGreaterThanOrEqual(390);

    sim.runUntil(20 * SECOND);
    const gd = apf.stats().levels.find((l) => l.name === "global-default");
    expect(gd?.peakSeatsInUse).toBeGreaterThan(300);
    apf.stop();
  });

  it("cannot push a busy level below its own lower bound", () => {
    const sim = new Simulation({ seed: 4 });
    const apf = new ApfFlowControl(sim);
    const drv = new Driver(sim, apf);
    for (let u = 0; u < 600; u++) drv.loop(`u${u}/`, userGet(`user-${u}`), 250 * MS, 40 * SECOND);
    // node-high is busy too: 80 kubelets with long requests.
    for (let n = 0; n < 80; n++) drv.loop(`n${n}/`, kubeletLeaseUpdate(n), 200 * MS, 40 * SECOND);
    sim.runUntil(20 * SECOND);
    // node-high's lower bound is min(nominal 98, its demand's high watermark 80) = 80: it keeps
    // what it uses; global-default gets the rest of the 602 nominal seats.
    expect(apf.level("node-high")?.currentCL).toBe(80);
    expect(apf.level("global-default")?.currentCL).toBe(602 - (50 + 80 + 25 + 49 + 24 + 13));
    const nhStats = apf.stats().levels.find((l) => l.name === "node-high");
    expect(nhStats?.waitUs.max).toBeLessThan(SECOND);
    apf.stop();
  });

  it("keeps nominal limits when borrowing is turned off", () => {
    const apf = new ApfFlowControl(new Simulation(), { borrowingPeriodUs: 0 });
    for (const n of LEVELS) expect(apf.level(n)?.currentCL).toBe(apf.level(n)?.nominalCL);
  });

  it("lets the timer sleep while idle (runUntilIdle ends) with the same results as a timer that never sleeps", () => {
    const scenario = (opts: ApfOptions) => {
      const sim = new Simulation({ seed: 9 });
      const apf = new ApfFlowControl(sim, opts);
      const drv = new Driver(sim, apf);
      // Two bursts separated by an idle minute and a half; arrivals off the 10 s grid.
      for (const start of [1_234_567, 97_654_321]) {
        for (let u = 0; u < 150; u++) {
          sim.at(start + u * 997, () =>
            drv.loop(`b${start}/${u}/`, userGet(`user-${u}`), 40 * MS, start + 15 * SECOND),
          );
        }
      }
      return { sim, apf, drv };
    };
    const sleepy = scenario({});
    sleepy.sim.runUntilIdle(); // terminates: the timer sleeps once everything is idle
    const idleAt = sleepy.sim.now;
    expect(idleAt).toBeLessThan(200 * SECOND);
    const awake = scenario({ suspendTimerWhenIdle: false });
    awake.sim.runUntil(idleAt);
    expect(JSON.stringify(sleepy.drv.outcomes)).toBe(JSON.stringify(awake.drv.outcomes));
    // Limits match too, including the adjustments the sleeping timer replays on demand.
    sleepy.sim.runUntil(300 * SECOND);
    awake.sim.runUntil(300 * SECOND);
    for (const n of LEVELS) expect(sleepy.apf.level(n)).toEqual(awake.apf.level(n));
    awake.apf.stop();
    expect(sleepy.sim.pending).toBe(0);
  });
});
