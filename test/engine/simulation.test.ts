import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CalendarKind } from "../../src/engine/calendar.js";
import { SimulationLimitError } from "../../src/engine/errors.js";
import { Simulation } from "../../src/engine/simulation.js";

const KINDS: CalendarKind[] = ["typed-heap", "fastpriorityqueue"];

describe.each(KINDS)("Simulation on %s calendar", (calendar) => {
  it("runs events in time order, same-instant events in scheduling order", () => {
    const sim = new Simulation({ calendar });
    const log: string[] = [];
    const rec = (s: string) => log.push(`${sim.now}:${s}`);
    sim.at(20, rec, "c");
    sim.at(10, rec, "a");
    sim.at(20, rec, "d");
    sim.at(10, rec, "b");
    sim.at(0, rec, "z");
    sim.runUntilIdle();
    expect(log).toEqual(["0:z", "10:a", "10:b", "20:c", "20:d"]);
  });

  it("keeps FIFO order among 10,000 events at one instant, including ones scheduled while running", () => {
    const sim = new Simulation({ calendar });
    const order: number[] = [];
    const fn = (i: number) => {
      order.push(i);
      // Events scheduled at the current instant run after everything already scheduled for it.
      if (i < 100) sim.after(0, fn, 10_000 + i);
    };
    for (let i = 0; i < 10_000; i++) sim.at(5, fn, i);
    sim.runUntilIdle();
    const expected = [...Array(10_000).keys(), ...Array.from({ length: 100 }, (_, i) => 10_000 + i)];
    expect(order).toEqual(expected);
    expect(sim.now).toBe(5);
  });

  it("cancels events, and a cancelled or fired handle cannot be cancelled again", () => {
    const sim = new Simulation({ calendar });
    const log: number[] = [];
    const push = (v: number) => log.push(v);
    const a = sim.at(1, push, 1);
    const b = sim.at(2, push, 2);
    const c = sim.at(3, push, 3);
    expect(sim.pending).toBe(3);
    expect(sim.cancel(b)).toBe(true);
    expect(sim.cancel(b)).toBe(false);
    expect(sim.isPending(b)).toBe(false);
    expect(sim.isPending(c)).toBe(true);
    expect(sim.pending).toBe(2);
    sim.runUntilIdle();
    expect(log).toEqual([1, 3]);
    expect(sim.cancel(a)).toBe(false);
    expect(sim.cancel(c)).toBe(false);
    expect(sim.stats).toMatchObject({ eventsProcessed: 2, pending: 0, cancelled: 1 });
  });

  it("does not let a stale handle cancel the event that reused its slot", () => {
    const sim = new Simulation({ calendar });
    const log: number[] = [];
    const first = sim.at(1, (v: number) => log.push(v), 1);
    sim.runUntilIdle();
    const second = sim.at(2, (v: number) => log.push(v), 2);
    expect(second).not.toBe(first);
    expect(sim.cancel(first)).toBe(false);
    sim.runUntilIdle();
    expect(log).toEqual([1, 2]);
  });

  it("compacts mass cancellations without disturbing order", () => {
    const sim = new Simulation({ calendar });
    const ids: number[] = [];
    const seen: number[] = [];
    const fn = (i: number) => seen.push(i);
    for (let i = 0; i < 5000; i++) ids.push(sim.at(1000 + (i % 37), fn, i));
    for (let i = 0; i < 5000; i++) if (i % 5 !== 0) sim.cancel(ids[i] as number);
    expect(sim.pending).toBe(1000);
    sim.runUntilIdle();
    const expected = [...Array(5000).keys()].filter((i) => i % 5 === 0).sort((x, y) => (x % 37) - (y % 37) || x - y);
    expect(seen).toEqual(expected);
  });

  it("runUntil runs events up to and including the limit and advances the clock", () => {
    const sim = new Simulation({ calendar });
    const log: number[] = [];
    for (const t of [5, 10, 15]) sim.at(t, (v: number) => log.push(v), t);
    sim.runUntil(10);
    expect(log).toEqual([5, 10]);
    expect(sim.now).toBe(10);
    sim.runUntil(12);
    expect(sim.now).toBe(12);
    expect(sim.pending).toBe(1);
    expect(() => sim.runUntil(11)).toThrow(RangeError);
  });

  it("step runs exactly one event", () => {
    const sim = new Simulation({ calendar });
    const log: number[] = [];
    sim.at(3, (v: number) => log.push(v), 1);
    sim.at(4, (v: number) => log.push(v), 2);
    expect(sim.step()).toBe(true);
    expect(log).toEqual([1]);
    expect(sim.now).toBe(3);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(false);
  });

  it("stop() ends the current run after the running event", () => {
    const sim = new Simulation({ calendar });
    const log: number[] = [];
    sim.at(1, () => {
      log.push(1);
      sim.stop();
    });
    sim.at(2, () => log.push(2));
    sim.runUntilIdle();
    expect(log).toEqual([1]);
    sim.runUntilIdle();
    expect(log).toEqual([1, 2]);
  });

  it("guards against runaway models with maxEvents", () => {
    const sim = new Simulation({ calendar, maxEvents: 100 });
    const loop = () => sim.after(1, loop);
    sim.at(0, loop);
    expect(() => sim.runUntilIdle()).toThrow(SimulationLimitError);
    expect(sim.stats.eventsProcessed).toBe(101);
  });

  it("rejects times in the past, fractional or not finite", () => {
    const sim = new Simulation({ calendar });
    sim.runUntil(10);
    const noop = () => {};
    expect(() => sim.at(9, noop)).toThrow(RangeError);
    expect(() => sim.at(10.5, noop)).toThrow(RangeError);
    expect(() => sim.at(Number.NaN, noop)).toThrow(RangeError);
    expect(() => sim.after(-1, noop)).toThrow(RangeError);
    expect(() => sim.at(Number.POSITIVE_INFINITY, noop)).toThrow(RangeError);
  });

  it("tracks the peak number of pending events", () => {
    const sim = new Simulation({ calendar, initialCapacity: 16 });
    const noop = () => {};
    for (let i = 0; i < 1000; i++) sim.at(i, noop);
    sim.runUntil(499);
    for (let i = 0; i < 10; i++) sim.at(1000, noop);
    sim.runUntilIdle();
    expect(sim.stats).toMatchObject({ eventsProcessed: 1010, queuePeak: 1000, pending: 0 });
  });
});

describe.each(KINDS)("fast path (actions) on %s calendar", (calendar) => {
  it("interleaves with general events in one (time, seq) order", () => {
    const sim = new Simulation({ calendar });
    const log: string[] = [];
    const act = sim.action((n) => log.push(`${sim.now}:post${n}`));
    sim.at(10, () => log.push(`${sim.now}:at-a`));
    sim.postAt(10, act, 1);
    sim.postAt(5, act, 2);
    sim.at(10, () => log.push(`${sim.now}:at-b`));
    sim.post(10, act, 3);
    sim.runUntilIdle();
    expect(log).toEqual(["5:post2", "10:at-a", "10:post1", "10:at-b", "10:post3"]);
  });

  it("passes whole-number arguments up to 2^32 - 1 intact", () => {
    const sim = new Simulation({ calendar });
    const seen: number[] = [];
    const act = sim.action((n) => seen.push(n));
    for (const n of [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) sim.post(1, act, n);
    sim.runUntilIdle();
    expect(seen).toEqual([0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]);
  });

  it("rejects arguments that cannot travel in the calendar entry", () => {
    const sim = new Simulation({ calendar });
    const act = sim.action(() => {});
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => sim.post(1, act, bad)).toThrow(RangeError);
    expect(() => sim.postAt(-1, act, 0)).toThrow(RangeError);
  });

  it("counts fast events in stats, step, stop and the maxEvents guard", () => {
    const sim = new Simulation({ calendar, maxEvents: 50 });
    let n = 0;
    const act = sim.action(() => {
      n++;
      if (n === 10) sim.stop();
      sim.post(1, act, 0);
    });
    sim.post(0, act, 0);
    sim.runUntilIdle();
    expect(n).toBe(10);
    expect(sim.step()).toBe(true);
    expect(n).toBe(11);
    expect(sim.stats).toMatchObject({ eventsProcessed: 11, pending: 1 });
    expect(() => sim.runUntilIdle()).toThrow(SimulationLimitError);
  });
});

describe("calendars agree with a sorted reference", () => {
  it("on random schedules with cancellations (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("at" as const), dt: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant("post" as const), dt: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("step" as const), n: fc.integer({ min: 1, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const logs = KINDS.map((calendar) => {
          const sim = new Simulation({ calendar, initialCapacity: 16 });
          const log: string[] = [];
          const ids: number[] = [];
          let label = 0;
          const act = sim.action((v) => log.push(`${sim.now}/${v}`));
          for (const o of ops) {
            if (o.kind === "at") ids.push(sim.after(o.dt, (v: number) => log.push(`${sim.now}/${v}`), label++));
            else if (o.kind === "post") sim.post(o.dt, act, label++);
            else if (o.kind === "cancel" && ids.length > 0)
              log.push(`c${sim.cancel(ids[o.pick % ids.length] as number)}`);
            else if (o.kind === "step") for (let i = 0; i < o.n; i++) sim.step();
          }
          sim.runUntilIdle();
          return log;
        });
        // Reference: replay with an array sorted by (time, seq).
        const ref: string[] = [];
        const pending: { t: number; seq: number; v: number; live: boolean }[] = [];
        let now = 0;
        let seq = 0;
        let label = 0;
        const handles: (typeof pending)[number][] = [];
        const stepRef = (): boolean => {
          const live = pending.filter((p) => p.live).sort((a, b) => a.t - b.t || a.seq - b.seq);
          const next = live[0];
          if (next === undefined) return false;
          next.live = false;
          now = next.t;
          ref.push(`${now}/${next.v}`);
          return true;
        };
        for (const o of ops) {
          if (o.kind === "at" || o.kind === "post") {
            const e = { t: now + o.dt, seq: seq++, v: label++, live: true };
            pending.push(e);
            if (o.kind === "at") handles.push(e);
          } else if (o.kind === "cancel" && handles.length > 0) {
            const e = handles[o.pick % handles.length] as (typeof pending)[number];
            ref.push(`c${e.live}`);
            e.live = false;
          } else if (o.kind === "step") for (let i = 0; i < o.n; i++) stepRef();
        }
        while (stepRef()) {}
        expect(logs[0]).toEqual(ref);
        expect(logs[1]).toEqual(ref);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
