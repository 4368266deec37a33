import { describe, expect, it } from "vitest";
import { buildCostModel, cycleCost, emptyWork } from "../../src/scheduler/cost.js";
import { KERNEL_CONSTANTS } from "../../src/scheduler/nodetable/kernel.js";
import * as layout from "../../src/scheduler/nodetable/layout.js";
import { Program } from "../../src/scheduler/nodetable/program.js";
import { NodeTable } from "../../src/scheduler/nodetable/table.js";

describe("node table", () => {
  it("keeps the kernel's local constants equal to layout.ts", () => {
    for (const [k, v] of Object.entries(KERNEL_CONSTANTS)) expect(v, k).toBe((layout as Record<string, unknown>)[k]);
  });

  it("grows rows, label columns and scalar columns without losing data", () => {
    const t = new NodeTable(8);
    const v0 = t.version;
    const slots: number[] = [];
    for (let i = 0; i < 40; i++) {
      const s = t.allocSlot();
      slots.push(s);
      t.setNum(s, layout.N_ALLOC_CPU, 1000 + i);
      const labels: Record<string, string> = { "kubernetes.io/hostname": `n${i}` };
      labels[`key-${i % 12}`] = `v${i}`;
      t.setLabels(s, labels);
      t.setScalarAlloc(s, t.scalarId(`example.com/r${i % 5}`), i);
    }
    expect(t.version).toBeGreaterThan(v0);
    for (let i = 0; i < 40; i++) {
      const s = slots[i] as number;
      expect(t.getNum(s, layout.N_ALLOC_CPU)).toBe(1000 + i);
      expect(t.valueName(t.keyId("kubernetes.io/hostname"), t.label(s, t.keyId("kubernetes.io/hostname")))).toBe(
        `n${i}`,
      );
      expect(t.valueName(t.keyId(`key-${i % 12}`), t.label(s, t.keyId(`key-${i % 12}`)))).toBe(`v${i}`);
      expect(t.scalarAlloc(s, t.knownScalarId(`example.com/r${i % 5}`))).toBe(i);
    }
    // Absent labels read as 0; unknown keys as -1.
    expect(t.label(slots[0] as number, t.keyId("key-5"))).toBe(0);
    expect(t.knownKeyId("nope")).toBe(-1);
    // Freed slots are reused zeroed.
    t.freeSlot(slots[3] as number);
    const again = t.allocSlot();
    expect(again).toBe(slots[3]);
    expect(t.getNum(again, layout.N_ALLOC_CPU)).toBe(0);
  });

  it("grows the program arena and restores snapshots", () => {
    const p = new Program(256, 16);
    p.reset();
    const a = p.allocI(10);
    p.pi[a] = 7;
    const snap = p.save();
    const b = p.allocI(5000);
    p.pi[b + 4999] = 1;
    p.pi[a] = 9;
    expect(p.version).toBeGreaterThan(0);
    p.restore(snap);
    expect(p.pi[a]).toBe(7);
    expect(p.iTop).toBe(snap.iTop);
  });
});

describe("cost model calibration (kube-scheduler.md §7.1)", () => {
  const m = buildCostModel();
  it("reproduces SchedulingBasic at 5,000 nodes: 500 nodes filtered and scored ≈ 1/270 s", () => {
    const w = emptyWork();
    w.nodesFiltered = 500;
    w.nodesScored = 500;
    w.activeFilters = ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeResourcesFit"];
    w.activeScores = ["TaintToleration", "NodeResourcesFit", "NodeResourcesBalancedAllocation", "ImageLocality"];
    const us = cycleCost(m, 16, w);
    expect(us).toBe(3704);
    expect(Math.round(1e6 / us)).toBe(270);
  });

  it("reproduces SchedulingDaemonset: one node, no scoring ≈ 1/390 s", () => {
    const w = emptyWork();
    w.nodesFiltered = 1;
    w.activeFilters = ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodeResourcesFit"];
    expect(Math.round(1e6 / cycleCost(m, 16, w))).toBe(390);
  });

  it("reproduces SchedulingPodAntiAffinity ≈ 1/60 s", () => {
    const w = emptyWork();
    w.nodesFiltered = 715;
    w.nodesScored = 500;
    w.activeFilters = ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeResourcesFit", "InterPodAffinity"];
    w.activeScores = ["TaintToleration", "NodeResourcesFit", "NodeResourcesBalancedAllocation", "ImageLocality"];
    w.ipaPreFilterPods = 3000;
    w.ipaPreScorePods = 1500;
    expect(Math.round(1e6 / cycleCost(m, 16, w))).toBe(60);
  });

  it("scales the parallel part with parallelism and takes overrides", () => {
    const w = emptyWork();
    w.nodesFiltered = 1000;
    w.activeFilters = ["NodeResourcesFit"];
    expect(cycleCost(m, 16, w)).toBe(2560 + 450);
    expect(cycleCost(m, 1, w)).toBe(2560 + 450 * 16);
    expect(cycleCost(buildCostModel({ cycle: 100 }), 16, w)).toBe(550);
    expect(() => buildCostModel({ nope: 1 })).toThrow("costModel.nope: expected a known cost");
  });
});
