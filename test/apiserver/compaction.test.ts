import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/types/index.js";
import type { ApiResponse } from "../../src/apiserver/apiserver.js";
import { Client } from "../../src/apiserver/client.js";
import { COMPACT_REV_KEY } from "../../src/apiserver/compactor.js";
import { Informer } from "../../src/apiserver/informer.js";
import { ApiError } from "../../src/apiserver/status.js";
import { call, pod, setup } from "./helpers.js";

describe("kube-apiserver's compactor", () => {
  it("compacts once per interval across replicas, to the revision seen an interval earlier", () => {
    const { sim, cp, admin } = setup({ apiservers: 3, apiserver: { compactionIntervalUs: 60_000_000 } });
    const revAt: number[] = [];
    for (let m = 0; m < 6; m++) {
      for (let i = 0; i < 20; i++)
        call<Pod>(sim, m * 60_000_000 + 1_000_000 + i * 1000, (cb) => admin.create(pod(`p${m}-${i}`), cb));
      sim.at(m * 60_000_000 + 59_000_000, () => revAt.push(cp.etcd.store.revision));
    }
    sim.runUntil(6 * 60_000_000 + 10_000_000);
    // The txn on compact_rev_key's version lets one replica win each interval.
    expect(cp.etcd.store.range({ key: COMPACT_REV_KEY }).kvs[0]?.version).toBe(6);
    const compacted = cp.etcd.store.compactRevision;
    expect(compacted).toBeGreaterThan(revAt[3] as number);
    expect(compacted).toBeLessThanOrEqual(revAt[5] as number);
  });
});

describe("compaction -> 410 -> relist", () => {
  it("a continue token that outlives a compaction gets 410 Expired; a fresh list works", () => {
    const { sim, cp, admin } = setup({ apiserver: { compactionIntervalUs: 0 } });
    for (let i = 0; i < 30; i++) call<Pod>(sim, 1_000_000, (cb) => admin.create(pod(`p${i}`), cb));
    sim.runUntil(2_000_000);
    const first = call<ApiResponse>(sim, 2_000_000, (cb) =>
      admin.list("pods", { namespace: "default", limit: 10 }, cb),
    );
    sim.runUntil(3_000_000);
    call<Pod>(sim, 3_000_000, (cb) => admin.create(pod("late"), cb));
    sim.runUntil(4_000_000);
    sim.at(4_000_000, () => cp.etcd.compact({ revision: cp.etcd.store.revision }, 0, () => {}));
    sim.runUntil(5_000_000);
    const next = call<ApiResponse>(sim, 5_000_000, (cb) =>
      admin.list("pods", { namespace: "default", limit: 10, continue: first.value?.continue as string }, cb),
    );
    const fresh = call<ApiResponse>(sim, 6_000_000, (cb) =>
      admin.list("pods", { namespace: "default", limit: 100 }, cb),
    );
    sim.runUntil(7_000_000);
    expect(next.error?.code).toBe(410);
    expect(next.error?.message).toMatch(/^The provided continue parameter is too old/);
    expect(fresh.value?.items).toHaveLength(31);
  });

  it("a watch cache that falls behind compaction relists; its informers re-watch, get 410 and relist", () => {
    const { sim, cp, admin } = setup({ apiservers: 3, apiserver: { compactionIntervalUs: 0 } });
    // The informer's client lands on replica 1, whose etcd member (stacked) is member 1.
    const c = new Client(cp, {
      name: "ctrl",
      user: { name: "system:kube-controller-manager", groups: [] },
      qps: 20,
      burst: 30,
    });
    const inf = new Informer(c, sim, "pods");
    sim.at(100_000, () => inf.start());
    for (let i = 0; i < 10; i++) call<Pod>(sim, 1_000_000, (cb) => admin.create(pod(`a${i}`), cb));
    sim.at(3_000_000, () => cp.etcd.stopMember(1));
    for (let i = 0; i < 200; i++) call<Pod>(sim, 4_000_000 + i * 400_000, (cb) => admin.create(pod(`b${i}`), cb));
    sim.at(90_000_000, () =>
      cp.etcd.compact({ revision: cp.etcd.store.revision }, 0, (r) => expect(r).not.toBeInstanceOf(ApiError)),
    );
    sim.at(95_000_000, () => cp.etcd.startMember(1));
    sim.runUntil(130_000_000);
    expect(cp.apiservers[1]?.cache("pods").stats.relists).toBe(2);
    expect(inf.stats.expired).toBeGreaterThanOrEqual(1);
    expect(inf.size).toBe(210);
  });
});
