import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/engine/simulation.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { FakeApi, makeNode, makePod } from "./fixtures.js";

describe("scheduler smoke", () => {
  it("schedules pods onto nodes", () => {
    const sim = new Simulation({ seed: 1 });
    const api = new FakeApi(sim);
    const s = new Scheduler(sim, "kube-scheduler", api);
    api.scheduler = s;
    for (let i = 0; i < 5; i++) s.onNodeAdd(makeNode(`n${i}`, { zone: `z${i % 2}` }));
    for (let i = 0; i < 20; i++) s.onPodAdd(makePod(`p${i}`, { cpu: "500m", memory: "1Gi" }));
    s.start();
    sim.runUntil(60_000_000);
    expect(api.bound.length).toBe(20);
    expect(s.stats.scheduled).toBe(20);
  });
});
