import { describe, expect, it } from "vitest";
import {
  countUntoleratedTaints,
  findUntoleratedTaint,
  isNoScheduleOrNoExecute,
  isPreferNoSchedule,
  taintToString,
  toleratesTaint,
  tolerationsTolerateTaint,
} from "../../src/api/taints.js";
import type { Taint, Toleration } from "../../src/api/types/core.js";

describe("toleratesTaint (upstream ToleratesTaint table)", () => {
  const taint: Taint = { key: "foo", value: "bar", effect: "NoSchedule" };
  const cases: [string, Toleration, Taint, boolean][] = [
    [
      "same key, value, effect with Equal",
      { key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule" },
      taint,
      true,
    ],
    ["empty operator means Equal", { key: "foo", value: "bar", effect: "NoSchedule" }, taint, true],
    ["Equal with another value", { key: "foo", operator: "Equal", value: "baz", effect: "NoSchedule" }, taint, false],
    ["Exists ignores the value", { key: "foo", operator: "Exists", effect: "NoSchedule" }, taint, true],
    ["another key", { key: "foo2", operator: "Exists", effect: "NoSchedule" }, taint, false],
    ["another effect", { key: "foo", operator: "Exists", effect: "NoExecute" }, taint, false],
    ["empty effect matches every effect", { key: "foo", operator: "Exists" }, taint, true],
    ["empty key with Exists matches everything", { operator: "Exists" }, taint, true],
    ["empty key with Exists and an effect", { operator: "Exists", effect: "NoExecute" }, taint, false],
    // validation forbids an empty key without Exists; ToleratesTaint itself then only compares values
    ["empty key with Equal compares values only", { operator: "Equal", value: "bar" }, taint, true],
    ["empty key with Equal and another value", { operator: "Equal", value: "baz" }, taint, false],
    ["unknown operator", { key: "foo", operator: "Matches", value: "bar" }, taint, false],
    ["Equal with empty values", { key: "k", operator: "Equal" }, { key: "k", effect: "NoSchedule" }, true],
    ["Gt numeric", { key: "k", operator: "Gt", value: "3" }, { key: "k", value: "5", effect: "NoSchedule" }, true],
    ["Gt not greater", { key: "k", operator: "Gt", value: "5" }, { key: "k", value: "5", effect: "NoSchedule" }, false],
    ["Lt numeric", { key: "k", operator: "Lt", value: "10" }, { key: "k", value: "5", effect: "NoSchedule" }, true],
    [
      "Gt with a non-integer",
      { key: "k", operator: "Gt", value: "3" },
      { key: "k", value: "x", effect: "NoSchedule" },
      false,
    ],
  ];
  for (const [name, tol, t, want] of cases) {
    it(name, () => expect(toleratesTaint(tol, t)).toBe(want));
  }
});

describe("taint helpers", () => {
  const taints: Taint[] = [
    { key: "soft", effect: "PreferNoSchedule" },
    { key: "dedicated", value: "gpu", effect: "NoSchedule" },
    { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
  ];

  it("finds the first untolerated taint passing the filter", () => {
    expect(findUntoleratedTaint(taints, [], isNoScheduleOrNoExecute)).toEqual(taints[1]);
    expect(findUntoleratedTaint(taints, undefined)).toEqual(taints[0]);
    const tols: Toleration[] = [{ key: "dedicated", operator: "Equal", value: "gpu" }];
    expect(findUntoleratedTaint(taints, tols, isNoScheduleOrNoExecute)).toEqual(taints[2]);
    tols.push({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    expect(findUntoleratedTaint(taints, tols, isNoScheduleOrNoExecute)).toBeUndefined();
    expect(findUntoleratedTaint(undefined, tols)).toBeUndefined();
  });

  it("counts untolerated soft taints and tests any-of", () => {
    expect(countUntoleratedTaints(taints, [], isPreferNoSchedule)).toBe(1);
    expect(
      countUntoleratedTaints(
        taints,
        [{ key: "soft", operator: "Exists", effect: "PreferNoSchedule" }],
        isPreferNoSchedule,
      ),
    ).toBe(0);
    expect(tolerationsTolerateTaint([{ operator: "Exists" }], taints[1] as Taint)).toBe(true);
    expect(tolerationsTolerateTaint(undefined, taints[1] as Taint)).toBe(false);
  });

  it("prints taints as Taint.ToString does", () => {
    expect(taintToString({ key: "k", value: "v", effect: "NoSchedule" })).toBe("k=v:NoSchedule");
    expect(taintToString({ key: "k", effect: "NoSchedule" })).toBe("k:NoSchedule");
    expect(taintToString({ key: "k", value: "v", effect: "" })).toBe("k=v:");
  });
});
