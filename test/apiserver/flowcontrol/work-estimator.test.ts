import { describe, expect, it } from "vitest";
import { WorkEstimator } from "../../../src/apiserver/flowcontrol/work-estimator.js";
import { humanUser, resourceReq, userList } from "./helpers.js";

const est = new WorkEstimator();

describe("work estimator", () => {
  it("gives one seat to gets, watches, deletecollection and non-resource requests", () => {
    for (const verb of ["get", "watch", "deletecollection"]) {
      expect(est.estimate(resourceReq(humanUser("a"), verb, "pods"), 0)).toEqual({
        initialSeats: 1,
        finalSeats: 0,
        additionalLatencyUs: 0,
      });
    }
  });

  it("sizes LISTs at one seat per 100 objects, capped at 10 and at the level's max seats", () => {
    const seats = (n: number, levelMax = 0) => est.estimate(userList("a", n), levelMax).initialSeats;
    expect(seats(0)).toBe(1);
    expect(seats(100)).toBe(1);
    expect(seats(101)).toBe(2);
    expect(seats(550)).toBe(6);
    expect(seats(50_000)).toBe(10);
    expect(seats(50_000, 4)).toBe(4); // e.g. leader-election: 25 seats / hand of 4
    expect(seats(50_000, 12)).toBe(10); // a level cap above 10 does not raise the limit
    // A LIST of one named object, and a LIST whose count is unknown, cost the minimum.
    expect(est.estimate({ ...userList("a", 5000), name: "p" }, 0).initialSeats).toBe(1);
    expect(est.estimate(resourceReq(humanUser("a"), "list", "pods"), 0).initialSeats).toBe(1);
  });

  it("charges mutating requests final seats for the watchers they notify", () => {
    const w = (watchers: number) =>
      est.estimate(resourceReq(humanUser("a"), "create", "pods", { watchersToNotify: watchers }), 0);
    expect(w(9)).toEqual({ initialSeats: 1, finalSeats: 0, additionalLatencyUs: 0 });
    expect(w(10)).toEqual({ initialSeats: 1, finalSeats: 1, additionalLatencyUs: 5000 });
    expect(w(25)).toEqual({ initialSeats: 1, finalSeats: 3, additionalLatencyUs: 5000 });
    // 500 watchers: 50 seats x 5 ms reshaped to 10 seats x 25 ms (same seat-time).
    expect(w(500)).toEqual({ initialSeats: 1, finalSeats: 10, additionalLatencyUs: 25_000 });
    // Service account tokens produce no watch event.
    expect(
      est.estimate(
        resourceReq(humanUser("a"), "create", "serviceaccounts", { subresource: "token", watchersToNotify: 500 }),
        0,
      ).finalSeats,
    ).toBe(0);
  });

  it("takes its parameters as options", () => {
    const e = new WorkEstimator({ objectsPerSeat: 10, maximumSeats: 20 });
    expect(e.estimate(userList("a", 155), 0).initialSeats).toBe(16);
    expect(() => new WorkEstimator({ objectsPerSeat: 0 })).toThrow(RangeError);
  });
});
