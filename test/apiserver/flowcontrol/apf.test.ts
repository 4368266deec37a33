import { describe, expect, it } from "vitest";
import { ApfFlowControl, type ApfOptions } from "../../../src/apiserver/flowcontrol/apf.js";
import type { FlowControlLevelStats, RequestAttributes } from "../../../src/apiserver/flowcontrol/types.js";
import { Simulation } from "../../../src/engine/simulation.js";
import { MILLISECOND as MS, SECOND } from "../../../src/engine/time.js";
import {
  Driver,
  humanUser,
  kubeletLeaseUpdate,
  nodeStatusPatch,
  resourceReq,
  saUser,
  userGet,
  userList,
} from "./helpers.js";

function setup(options: ApfOptions = {}) {
  const sim = new Simulation({ seed: 1 });
  const apf = new ApfFlowControl(sim, options);
  return { sim, apf, drv: new Driver(sim, apf) };
}

function levelStats(apf: ApfFlowControl, name: string): FlowControlLevelStats {
  return apf.stats().levels.find((l) => l.name === name) as FlowControlLevelStats;
}

describe("APF fair queuing within a priority level", () => {
  it("shares seats fairly between two backlogged flows of one level", () => {
    // Borrowing off: global-default keeps its nominal 49 seats.
    const { sim, drv } = setup({ borrowingPeriodUs: 0 });
    const end = 5 * SECOND;
    for (let c = 0; c < 200; c++) drv.loop(`alice/${c}/`, userGet("alice"), 10 * MS, end);
    for (let c = 0; c < 40; c++) drv.loop(`bob/${c}/`, userGet("bob"), 10 * MS, end);
    sim.runUntil(end);
    const window = (p: string) => drv.finished.filter((f) => f.id.startsWith(p) && f.at > SECOND).length;
    const alice = window("alice/");
    const bob = window("bob/");
    // 49 seats / 10 ms = 4,900 requests/s shared about evenly although alice has 5x the clients.
    expect(alice + bob).toBeGreaterThan(0.97 * 4900 * 4);
    expect(alice / bob).toBeGreaterThan(0.95);
    expect(alice / bob).toBeLessThan(1.05);
    expect(drv.rejected()).toHaveLength(0);
  });

  it("a flood from one flow does not starve another priority level", () => {
    const { sim, apf, drv } = setup();
    // One user floods global-default with long requests, far beyond its seats and queues.
    for (let i = 0; i < 2000; i++) drv.submit(`flood/${i}`, userGet("mallory"), 2 * SECOND);
    // Meanwhile 500 kubelets renew leases and patch node status (node-high) every 10 s.
    for (let n = 0; n < 500; n++) {
      const offset = (n * 20 * MS) % (10 * SECOND);
      for (let t = offset + MS; t < 60 * SECOND; t += 10 * SECOND) {
        sim.at(t, () => drv.submit(`node/${n}/lease/${t}`, kubeletLeaseUpdate(n), 5 * MS));
        sim.at(t + MS, () => drv.submit(`node/${n}/status/${t}`, nodeStatusPatch(n), 8 * MS));
      }
    }
    sim.runUntil(60 * SECOND);
    apf.stop();
    const nodes = drv.started("node/");
    expect(nodes).toHaveLength(500 * 6 * 2);
    expect(drv.rejected("node/")).toHaveLength(0);
    expect(Math.max(...nodes.map((o) => o.waitUs))).toBe(0);
    expect(new Set(nodes.map((o) => o.info.priorityLevel))).toEqual(new Set(["node-high"]));
    // The flood was contained in its own level: queued, rejected, never beyond its limit.
    const gd = levelStats(apf, "global-default");
    expect(gd.rejectedQueueFull).toBeGreaterThan(1000);
    expect(drv.rejected("flood/").every((o) => o.info.priorityLevel === "global-default")).toBe(true);
    expect(gd.peakSeatsInUse).toBeLessThanOrEqual(apf.level("global-default")?.maxCL as number);
  });

  it("rejects with 429 and a Retry-After when the flow's queues are full", () => {
    const { sim, apf, drv } = setup({ borrowingPeriodUs: 0 });
    for (let i = 0; i < 1000; i++) drv.submit(`r${i}`, userGet("mallory"), 60 * SECOND);
    // 49 seats execute, the flow's hand of 6 queues holds 6 x 50, the rest is turned away at once.
    expect(drv.started("r")).toHaveLength(49);
    const rejected = drv.rejected("r");
    expect(rejected).toHaveLength(1000 - 49 - 300);
    for (const r of rejected) {
      expect(r.reason).toBe("queue-full");
      expect(r.retryAfter).toBeGreaterThanOrEqual(1);
      expect(r.info).toEqual({ priorityLevel: "global-default", flowSchema: "global-default", seats: 1 });
    }
    const s = levelStats(apf, "global-default");
    expect(s).toMatchObject({ executing: 49, waiting: 300, rejectedQueueFull: 651, seatsInUse: 49 });
    sim.runUntil(SECOND);
  });

  it("rejects a request that waited the queue-wait limit (15 s) with reason time-out", () => {
    const { sim, apf, drv } = setup({ borrowingPeriodUs: 0 });
    for (let i = 0; i < 49; i++) drv.submit(`long${i}`, userGet(`u${i}`), 40 * SECOND);
    sim.runUntil(SECOND);
    drv.submit("late", userGet("late"), 10 * MS);
    expect(levelStats(apf, "global-default").waiting).toBe(1);
    sim.runUntil(16 * SECOND + 1);
    const late = drv.outcomes.filter((o) => o.id === "late");
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ kind: "reject", at: 16 * SECOND, reason: "time-out" });
    expect(levelStats(apf, "global-default")).toMatchObject({ waiting: 0, rejectedTimeout: 1 });
  });

  it("dispatches a waiting request before its wait limit when seats free up, reporting the wait", () => {
    const { sim, drv } = setup({ borrowingPeriodUs: 0, requestWaitLimitUs: 5 * SECOND });
    for (let i = 0; i < 49; i++) drv.submit(`long${i}`, userGet(`u${i}`), 3 * SECOND);
    drv.submit("next", userGet("next"), 10 * MS);
    sim.runUntil(10 * SECOND);
    expect(drv.outcomes.find((o) => o.id === "next")).toMatchObject({ kind: "start", waitUs: 3 * SECOND });
  });

  it("never queues the exempt level and rejects catch-all without queuing", () => {
    const { sim, apf, drv } = setup({ borrowingPeriodUs: 0 });
    const admin = resourceReq(humanUser("admin", "system:masters"), "list", "pods", { estimatedObjects: 5000 });
    for (let i = 0; i < 1000; i++) drv.submit(`admin${i}`, admin, SECOND);
    expect(drv.started("admin")).toHaveLength(1000);
    expect(drv.started("admin").every((o) => o.waitUs === 0 && o.info.priorityLevel === "exempt")).toBe(true);
    expect(levelStats(apf, "exempt").seatsInUse).toBe(10_000); // seats counted, never limited

    const stranger = resourceReq({ user: "stranger", groups: [] }, "get", "pods");
    for (let i = 0; i < 20; i++) drv.submit(`x${i}`, stranger, SECOND);
    expect(drv.started("x")).toHaveLength(13); // catch-all NominalCL
    expect(drv.rejected("x")).toHaveLength(7);
    expect(drv.rejected("x").every((o) => o.reason === "concurrency-limit")).toBe(true);
    expect(levelStats(apf, "catch-all").waiting).toBe(0);
    sim.runUntil(2 * SECOND);
    expect(levelStats(apf, "exempt").seatsInUse).toBe(0);
  });
});

describe("APF seats (work estimates)", () => {
  it("gives wide LISTs several seats, capped per level, and holds them back until enough are free", () => {
    const { sim, apf, drv } = setup({ borrowingPeriodUs: 0 });
    // global-default (49 seats, hands of 6) caps a request at min(ceil(0.15 x 49), 49 / 6) = 8 seats.
    for (let i = 0; i < 7; i++) drv.submit(`wide${i}`, userList(`lister${i}`, 5000), SECOND);
    expect(drv.started("wide")).toHaveLength(6); // 6 x 8 seats of 49
    expect(drv.started("wide")[0]?.info.seats).toBe(8);
    // A narrow request of another flow still gets the free seat.
    drv.submit("narrow", userGet("someone"), 10 * MS);
    expect(drv.started("narrow")).toHaveLength(1);
    expect(levelStats(apf, "global-default").seatsInUse).toBe(49);
    sim.runUntil(3 * SECOND);
    const last = drv.outcomes.find((o) => o.id === "wide6");
    expect(last).toMatchObject({ kind: "start", at: SECOND, waitUs: SECOND });
    expect(levelStats(apf, "global-default").peakSeatsInUse).toBe(49);
    // Service accounts' workload-low (245 seats) allows the estimator's own cap of 10.
    drv.submit("sa-list", resourceReq(saUser("shop", "cart"), "list", "pods", { estimatedObjects: 5000 }), MS);
    expect(drv.outcomes.find((o) => o.id === "sa-list")?.info.seats).toBe(10);
  });

  it("keeps a mutating request's final seats for the watch-notification time after done()", () => {
    const { sim, apf, drv } = setup({ borrowingPeriodUs: 0 });
    const create = resourceReq(saUser("shop", "cart"), "create", "configmaps", {
      namespace: "a",
      watchersToNotify: 500,
    });
    drv.submit("c", create, 10 * MS);
    expect(drv.outcomes[0]?.info.seats).toBe(10);
    sim.runUntil(10 * MS);
    expect(drv.finished).toHaveLength(1);
    // 500 watchers: 50 seats x 5 ms reshaped to 10 seats x 25 ms.
    expect(levelStats(apf, "workload-low")).toMatchObject({ executing: 0, seatsInUse: 10 });
    sim.runUntil(35 * MS - 1);
    expect(levelStats(apf, "workload-low").seatsInUse).toBe(10);
    sim.runUntil(35 * MS);
    expect(levelStats(apf, "workload-low").seatsInUse).toBe(0);
  });

  it("holds a WATCH's seat until its initialization is done, then not at all", () => {
    const { apf } = setup({ borrowingPeriodUs: 0 });
    const watch = resourceReq(saUser("shop", "cart"), "watch", "pods", { namespace: "shop" });
    let done: (() => void) | undefined;
    apf.handle(
      watch,
      (_w, d, info) => {
        done = d;
        expect(info).toEqual({ priorityLevel: "workload-low", flowSchema: "service-accounts", seats: 1 });
      },
      () => expect.unreachable(),
    );
    expect(levelStats(apf, "workload-low").seatsInUse).toBe(1);
    done?.(); // initial events sent
    expect(levelStats(apf, "workload-low")).toMatchObject({ seatsInUse: 0, executing: 0, dispatched: 1 });
    done?.(); // a second call is ignored
    expect(levelStats(apf, "workload-low").seatsInUse).toBe(0);
  });

  it("lets other long-running requests bypass flow control", () => {
    const { apf } = setup();
    const exec = resourceReq(humanUser("alice"), "create", "pods", { namespace: "a", name: "p", subresource: "exec" });
    let seats = -1;
    apf.handle(
      exec,
      (_w, _d, info) => {
        seats = info.seats;
      },
      () => expect.unreachable(),
    );
    expect(seats).toBe(0);
    expect(apf.stats().longRunning).toBe(1);
    expect(apf.stats().levels.every((l) => l.dispatched === 0)).toBe(true);
    apf.stop();
  });
});

describe("APF callbacks and determinism", () => {
  it("calls exactly one callback per request, even when callbacks re-enter", () => {
    const { sim, apf } = setup({ borrowingPeriodUs: 0 });
    const calls = new Map<number, number>();
    let id = 0;
    const send = (depth: number): void => {
      const me = id++;
      apf.handle(
        userGet(`u${me % 7}`),
        (_w, done) => {
          calls.set(me, (calls.get(me) ?? 0) + 1);
          if (me % 3 === 0)
            done(); // finishes at once, inside the callback
          else sim.after(MS, done);
          if (depth < 3) for (let k = 0; k < 3; k++) send(depth + 1);
        },
        () => calls.set(me, (calls.get(me) ?? 0) + 1),
      );
    };
    for (let i = 0; i < 30; i++) send(0);
    sim.runUntil(SECOND);
    expect(calls.size).toBe(id);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(levelStats(apf, "global-default")).toMatchObject({ executing: 0, waiting: 0, seatsInUse: 0 });
  });

  it("produces the same dispatch order for the same inputs", () => {
    const run = () => {
      const sim = new Simulation({ seed: 42 });
      const apf = new ApfFlowControl(sim);
      const drv = new Driver(sim, apf);
      const rng = sim.rng("load");
      const who: (() => RequestAttributes)[] = [
        () => userGet(`user-${rng.int(20)}`),
        () => userList(`lister-${rng.int(5)}`, rng.int(3000)),
        () => kubeletLeaseUpdate(rng.int(300)),
        () => resourceReq(saUser(`ns${rng.int(30)}`, "app"), "get", "configmaps", { namespace: "x" }),
        () => resourceReq(saUser(`ns${rng.int(30)}`, "app"), "create", "pods", { watchersToNotify: rng.int(200) }),
      ];
      for (let i = 0; i < 6000; i++) {
        sim.at(Math.floor(rng.next() * 30 * SECOND), () => {
          const make = who[rng.int(who.length)] as () => RequestAttributes;
          drv.submit(`r${i}`, make(), Math.floor(1 + rng.next() * 400 * MS));
        });
      }
      sim.runUntil(60 * SECOND);
      apf.stop();
      return JSON.stringify(drv.outcomes) + JSON.stringify(apf.stats());
    };
    const a = run();
    expect(a.length).toBeGreaterThan(100_000);
    expect(run()).toBe(a);
  });
});
