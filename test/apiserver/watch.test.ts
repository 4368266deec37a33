import { describe, expect, it } from "vitest";
import type { KubeObject, Pod } from "../../src/api/types/index.js";
import { Client } from "../../src/apiserver/client.js";
import { Informer } from "../../src/apiserver/informer.js";
import type { ApiError } from "../../src/apiserver/status.js";
import type { ApiWatchEvent } from "../../src/apiserver/watch-cache.js";
import { call, pod, setup } from "./helpers.js";

const names = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();

describe("informers", () => {
  it("converge to etcd's state through creates, updates and deletes", () => {
    const { sim, cp, admin } = setup();
    const inf = new Informer(admin, sim, "pods", { metrics: cp.metrics });
    const seen = { add: 0, update: 0, del: 0 };
    inf.addEventHandler({ onAdd: () => seen.add++, onUpdate: () => seen.update++, onDelete: () => seen.del++ });
    sim.at(500_000, () => inf.start());
    for (let i = 0; i < 60; i++) call<Pod>(sim, 1_000_000 + i * 10_000, (cb) => admin.create(pod(`p${i}`), cb));
    for (let i = 0; i < 20; i++)
      call(sim, 3_000_000 + i * 10_000, (cb) =>
        admin.patch("pods", "default", `p${i}`, { metadata: { labels: { v: "2" } } }, cb),
      );
    for (let i = 40; i < 60; i++)
      call(sim, 4_000_000 + i * 10_000, (cb) => admin.delete("pods", "default", `p${i}`, cb));
    sim.runUntil(10_000_000);
    const etcd = cp.etcd.store.range({ key: "/registry/pods/", rangeEnd: "/registry/pods0" }).kvs.map((kv) => kv.value);
    expect(inf.hasSynced).toBe(true);
    expect(names(inf.list())).toEqual(names(etcd));
    expect(seen).toEqual({ add: 60, update: 20, del: 20 });
    expect(cp.metrics.watchLatency.get("pods")?.count).toBe(100);
  });

  it("relist after 410: a client cut off longer than the watch cache's window lists again and converges", () => {
    const { sim, cp, admin } = setup();
    const c = new Client(cp, {
      name: "kubelet",
      user: { name: "system:node:n1", groups: ["system:nodes"] },
      qps: 50,
      burst: 100,
    });
    const inf = new Informer(c, sim, "pods");
    sim.at(100_000, () => inf.start());
    call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("first"), cb));
    sim.at(2_000_000, () => c.disconnect(250_000_000));
    // 500 changes over 250 s while it is away: the window (75 s of events) moves past its RV.
    for (let i = 0; i < 500; i++) call<Pod>(sim, 3_000_000 + i * 500_000, (cb) => admin.create(pod(`q${i}`), cb));
    sim.runUntil(320_000_000);
    expect(inf.stats.expired).toBe(1);
    expect(inf.stats.lists).toBe(2);
    const etcd = cp.etcd.store.range({ key: "/registry/pods/", rangeEnd: "/registry/pods0" }).kvs.map((kv) => kv.value);
    expect(names(inf.list())).toEqual(names(etcd));
    expect(cp.apiservers[0]?.cache("pods").windowCapacity).toBeLessThan(500);
  });

  it("watches older than the window get 410 Expired with upstream's message", () => {
    const { sim, admin } = setup();
    for (let i = 0; i < 300; i++) call<Pod>(sim, 1_000_000 + i * 1_000_000, (cb) => admin.create(pod(`p${i}`), cb));
    sim.runUntil(400_000_000);
    let err: ApiError | undefined;
    sim.at(400_000_000, () =>
      admin.watch(
        "pods",
        { resourceVersion: "5" },
        () => {},
        (e) => (err = e),
      ),
    );
    sim.runUntil(401_000_000);
    expect(err?.code).toBe(410);
    expect(err?.message).toMatch(/^too old resource version: 5 \(\d+\)$/);
  });

  it("resync re-delivers every object as an update", () => {
    const { sim, admin } = setup();
    const inf = new Informer(admin, sim, "pods", { resyncPeriodUs: 10_000_000 });
    let updates = 0;
    inf.addEventHandler({ onUpdate: (a, b) => a === b && updates++ });
    for (let i = 0; i < 5; i++) call<Pod>(sim, 500_000, (cb) => admin.create(pod(`p${i}`), cb));
    sim.at(1_000_000, () => inf.start());
    sim.runUntil(25_000_000);
    expect(updates).toBe(10);
  });
});

describe("the watch cache's fan-out", () => {
  it("serves node-filtered watches (kubelets) through the spec.nodeName index, with selector transitions", () => {
    const { sim, cp, admin } = setup({ apiservers: 1 });
    const got = new Map<string, string[]>();
    for (let n = 0; n < 1000; n++) {
      const node = `node-${n}`;
      got.set(node, []);
      sim.at(100_000, () =>
        admin.watch(
          "pods",
          { resourceVersion: "0", fieldSelector: `spec.nodeName=${node}` },
          (ev: ApiWatchEvent, ack) => {
            got.get(node)?.push(`${ev.type} ${ev.object.metadata.name}`);
            ack();
          },
          () => {},
        ),
      );
    }
    const p = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("web"), cb));
    sim.runUntil(2_000_000);
    const before = cp.apiservers[0]?.cache("pods").stats.candidates as number;
    call(sim, 2_000_000, (cb) => admin.bind(p.value as Pod, "node-7", cb));
    call(sim, 3_000_000, (cb) => admin.patch("pods", "default", "web", { metadata: { labels: { a: "b" } } }, cb));
    call(sim, 4_000_000, (cb) => admin.delete("pods", "default", "web", cb, { gracePeriodSeconds: 0 }));
    sim.runUntil(5_000_000);
    // Binding moves the pod into node-7's selector (ADDED); a grace-0 delete removes it at once.
    expect(got.get("node-7")).toEqual(["ADDED web", "MODIFIED web", "DELETED web"]);
    expect([...got.values()].filter((l) => l.length > 0)).toHaveLength(1);
    // The binding, the patch and the delete each looked at the watchers of at most two nodes
    // (old and new nodeName), not at the 1,000.
    const after = cp.apiservers[0]?.cache("pods").stats.candidates as number;
    expect(after - before).toBeLessThanOrEqual(6);
  });
});
