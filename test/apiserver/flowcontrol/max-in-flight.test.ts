import { describe, expect, it } from "vitest";
import { MaxInFlight } from "../../../src/apiserver/flowcontrol/max-in-flight.js";
import { Simulation } from "../../../src/engine/simulation.js";
import { MILLISECOND as MS, SECOND } from "../../../src/engine/time.js";
import { Driver, humanUser, resourceReq, userGet } from "./helpers.js";

const create = (u: string) => resourceReq(humanUser(u), "create", "configmaps", { namespace: "a" });

function setup(opts = {}) {
  const sim = new Simulation();
  const fc = new MaxInFlight(sim, opts);
  return { sim, fc, drv: new Driver(sim, fc) };
}

describe("max-in-flight filter", () => {
  it("limits read-only requests to 400 and mutating ones to 200, independently, with immediate 429s", () => {
    const { sim, fc, drv } = setup();
    for (let i = 0; i < 450; i++) drv.submit(`get${i}`, userGet(`u${i}`), SECOND);
    for (let i = 0; i < 250; i++) drv.submit(`put${i}`, create(`u${i}`), SECOND);
    expect(drv.started("get")).toHaveLength(400);
    expect(drv.started("put")).toHaveLength(200);
    expect(drv.rejected("get")).toHaveLength(50);
    expect(drv.rejected("put")).toHaveLength(50);
    for (const r of drv.rejected()) {
      expect(r.retryAfter).toBe(1);
      expect(r.at).toBe(0); // no queueing
    }
    expect(drv.rejected("get")[0]?.reason).toMatch(/read-only/);
    expect(drv.rejected("put")[0]?.info.priorityLevel).toBe("mutating");
    const s = fc.stats();
    expect(s.kind).toBe("max-in-flight");
    expect(s.serverConcurrencyLimit).toBe(600);
    expect(s.levels.map((l) => [l.name, l.executing, l.rejected, l.peakSeatsInUse])).toEqual([
      ["readOnly", 400, 50, 400],
      ["mutating", 200, 50, 200],
    ]);
    sim.runUntil(SECOND);
    expect(fc.stats().levels.map((l) => l.executing)).toEqual([0, 0]);
    drv.submit("again", userGet("x"), MS);
    expect(drv.started("again")).toHaveLength(1);
  });

  it("always serves system:masters, uncounted, when the limit is full", () => {
    const { fc, drv } = setup({ maxRequestsInflight: 2 });
    for (let i = 0; i < 2; i++) drv.submit(`g${i}`, userGet(`u${i}`), SECOND);
    drv.submit("admin", resourceReq(humanUser("admin", "system:masters"), "list", "pods"), SECOND);
    drv.submit("late", userGet("late"), SECOND);
    expect(drv.started("admin")[0]?.info.priorityLevel).toBe("exempt");
    expect(drv.rejected("late")).toHaveLength(1);
    expect(fc.exemptServed).toBe(1);
    expect(fc.stats().levels[0]?.executing).toBe(2);
  });

  it("does not limit long-running requests (watch, exec, logs)", () => {
    const { fc, drv } = setup({ maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 });
    for (let i = 0; i < 10; i++) drv.submit(`w${i}`, resourceReq(humanUser("a"), "watch", "pods"), SECOND);
    drv.submit(
      "log",
      resourceReq(humanUser("a"), "get", "pods", { subresource: "log", name: "p", namespace: "a" }),
      SECOND,
    );
    drv.submit(
      "exec",
      resourceReq(humanUser("a"), "create", "pods", { subresource: "exec", name: "p", namespace: "a" }),
      SECOND,
    );
    expect(drv.rejected()).toHaveLength(0);
    expect(fc.stats().longRunning).toBe(12);
    expect(fc.stats().levels.map((l) => l.executing)).toEqual([0, 0]);
  });

  it("treats a limit of 0 as unlimited and ignores a second done()", () => {
    const { fc } = setup({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 1 });
    let done: (() => void) | undefined;
    fc.handle(
      create("a"),
      (_w, d) => {
        done = d;
      },
      () => expect.unreachable(),
    );
    done?.();
    done?.();
    expect(fc.stats().levels[1]?.executing).toBe(0);
    let n = 0;
    for (let i = 0; i < 5000; i++)
      fc.handle(
        userGet("a"),
        () => n++,
        () => expect.unreachable(),
      );
    expect(n).toBe(5000);
    expect(() => new MaxInFlight(new Simulation(), { maxRequestsInflight: -1 })).toThrow(RangeError);
  });
});
