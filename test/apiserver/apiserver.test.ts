import { describe, expect, it } from "vitest";
import type { Pod, PriorityClass } from "../../src/api/types/index.js";
import type { ApiResponse } from "../../src/apiserver/apiserver.js";
import { Client } from "../../src/apiserver/client.js";
import { call, pod, setup } from "./helpers.js";

describe("verbs", () => {
  it("create stamps uid, creationTimestamp and resourceVersion = the etcd revision", () => {
    const { sim, cp, admin } = setup();
    const r = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("a"), cb));
    sim.runUntil(2_000_000);
    expect(r.value?.metadata.resourceVersion).toBe(String(cp.etcd.store.revision));
    expect(r.value?.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.value?.metadata.creationTimestamp).toBe("2025-01-01T00:00:01Z");
    expect(cp.etcd.store.range({ key: "/registry/pods/default/a" }).count).toBe(1);
    const dup = call<Pod>(sim, 3_000_000, (cb) => admin.create(pod("a"), cb));
    sim.runUntil(4_000_000);
    expect(dup.error?.code).toBe(409);
    expect(dup.error?.message).toBe('pods "a" already exists');
  });

  it("generateName, validation errors, unknown names", () => {
    const { sim, admin } = setup();
    const gen = call<Pod>(sim, 1_000_000, (cb) =>
      admin.create({ ...pod(""), metadata: { generateName: "web-", namespace: "default" } }, cb),
    );
    const bad = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("Bad_Name"), cb));
    const missing = call<Pod>(sim, 1_000_000, (cb) => admin.get("pods", "default", "nope", cb));
    sim.runUntil(2_000_000);
    expect(gen.value?.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(bad.error?.code).toBe(422);
    expect(bad.error?.message).toMatch(/^Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
    expect(missing.error?.code).toBe(404);
    expect(missing.error?.message).toBe('pods "nope" not found');
  });

  it("update uses optimistic concurrency: a stale resourceVersion is a 409 Conflict", () => {
    const { sim, admin } = setup();
    const created = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("a"), cb));
    sim.runUntil(2_000_000);
    const v1 = created.value as Pod;
    const ok = call<Pod>(sim, 2_000_000, (cb) =>
      admin.update({ ...v1, metadata: { ...v1.metadata, labels: { x: "1" } } }, cb),
    );
    sim.runUntil(3_000_000);
    const stale = call<Pod>(sim, 3_000_000, (cb) =>
      admin.update({ ...v1, metadata: { ...v1.metadata, labels: { x: "2" } } }, cb),
    );
    sim.runUntil(4_000_000);
    expect(ok.value?.metadata.labels).toEqual({ x: "1" });
    expect(Number(ok.value?.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
    expect(stale.error?.code).toBe(409);
    expect(stale.error?.message).toBe(
      'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it("patch and the status subresource: a status patch touches only status, spec changes bump generation", () => {
    const { sim, admin } = setup();
    call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("a"), cb));
    const st = call<Pod>(sim, 2_000_000, (cb) =>
      admin.patch(
        "pods",
        "default",
        "a",
        { status: { phase: "Running" }, metadata: { labels: { ignored: "yes" } } },
        cb,
        "status",
      ),
    );
    const lab = call<Pod>(sim, 3_000_000, (cb) =>
      admin.patch("pods", "default", "a", { metadata: { labels: { app: "web" } } }, cb),
    );
    sim.runUntil(4_000_000);
    expect(st.value?.status?.phase).toBe("Running");
    expect(st.value?.metadata.labels).toEqual({});
    expect(lab.value?.metadata.labels).toEqual({ app: "web" });
    expect(lab.value?.status?.phase).toBe("Running");
    expect(lab.value?.metadata.generation).toBe(1);
  });

  it("pods/binding sets nodeName and PodScheduled once; a second binding conflicts", () => {
    const { sim, admin } = setup();
    const p = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("a"), cb));
    sim.runUntil(2_000_000);
    const b1 = call<Pod>(sim, 2_000_000, (cb) => admin.bind(p.value as Pod, "node-1", cb));
    const b2 = call<Pod>(sim, 2_500_000, (cb) => admin.bind(p.value as Pod, "node-2", cb));
    sim.runUntil(4_000_000);
    expect(b1.value?.spec.nodeName).toBe("node-1");
    expect(b1.value?.status?.conditions?.find((c) => c.type === "PodScheduled")?.status).toBe("True");
    expect(b2.error?.message).toBe(
      'Operation cannot be fulfilled on pods "a": pod a is already assigned to node "node-1"',
    );
  });

  it("deletes gracefully: a scheduled pod gets deletionTimestamp, removal happens at grace 0", () => {
    const { sim, cp, admin } = setup();
    const p = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("a", { terminationGracePeriodSeconds: 30 }), cb));
    sim.runUntil(2_000_000);
    call<Pod>(sim, 2_000_000, (cb) => admin.bind(p.value as Pod, "node-1", cb));
    const d1 = call(sim, 3_000_000, (cb) => admin.delete("pods", "default", "a", cb));
    sim.runUntil(4_000_000);
    expect(d1.value?.metadata.deletionTimestamp).toBe("2025-01-01T00:00:33Z");
    expect(d1.value?.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(cp.etcd.store.range({ key: "/registry/pods/default/a" }).count).toBe(1);
    const d2 = call(sim, 5_000_000, (cb) => admin.delete("pods", "default", "a", cb, { gracePeriodSeconds: 0 }));
    sim.runUntil(6_000_000);
    expect(d2.value?.metadata.name).toBe("a");
    expect(cp.etcd.store.range({ key: "/registry/pods/default/a" }).count).toBe(0);
    // An unscheduled pod is deleted at once.
    call<Pod>(sim, 7_000_000, (cb) => admin.create(pod("b"), cb));
    call(sim, 8_000_000, (cb) => admin.delete("pods", "default", "b", cb));
    sim.runUntil(9_000_000);
    expect(cp.etcd.store.range({ key: "/registry/pods/default/b" }).count).toBe(0);
  });

  it("finalizers hold an object until they are removed", () => {
    const { sim, cp, admin } = setup();
    call(sim, 1_000_000, (cb) =>
      admin.create(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "team", finalizers: ["example.com/hold"] } },
        cb,
      ),
    );
    call(sim, 2_000_000, (cb) => admin.delete("namespaces", undefined, "team", cb));
    sim.runUntil(3_000_000);
    expect(
      cp.etcd.store.range({ key: "/registry/namespaces/team" }).kvs[0]?.value.metadata.deletionTimestamp,
    ).toBeDefined();
    call(sim, 3_000_000, (cb) => admin.patch("namespaces", undefined, "team", { metadata: { finalizers: null } }, cb));
    sim.runUntil(4_000_000);
    expect(cp.etcd.store.range({ key: "/registry/namespaces/team" }).count).toBe(0);
  });

  it("lists from etcd in pages with continue tokens at the first page's revision", () => {
    const { sim, admin } = setup();
    for (let i = 0; i < 25; i++)
      call<Pod>(sim, 1_000_000, (cb) => admin.create(pod(`p${String(i).padStart(2, "0")}`), cb));
    sim.runUntil(2_000_000);
    const pages: ApiResponse[] = [];
    const next = (token: string) =>
      admin.list("pods", { namespace: "default", limit: 10, continue: token }, (r) => {
        if (r instanceof Error) throw r;
        pages.push(r);
        if (r.continue !== "" && r.continue !== undefined) next(r.continue);
      });
    sim.at(2_000_000, () => next(""));
    // A write between pages does not show up: the pages read at the first page's revision.
    call<Pod>(sim, 2_000_500, (cb) => admin.create(pod("p99"), cb));
    sim.runUntil(3_000_000);
    expect(pages.map((p) => p.items?.length)).toEqual([10, 10, 5]);
    expect(new Set(pages.map((p) => p.resourceVersion)).size).toBe(1);
    expect(pages.flatMap((p) => p.items ?? []).map((o) => o.metadata.name)).not.toContain("p99");
  });
});

describe("admission", () => {
  it("DefaultTolerationSeconds adds the not-ready and unreachable tolerations (300 s)", () => {
    const { sim, admin } = setup();
    const r = call<Pod>(sim, 1_000_000, (cb) => admin.create(pod("a"), cb));
    sim.runUntil(2_000_000);
    expect(r.value?.spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
  });

  it("Priority resolves priorityClassName, the global default and the built-in classes; unknown classes are refused", () => {
    const { sim, admin } = setup();
    const pc = (name: string, value: number, globalDefault = false): PriorityClass => ({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name },
      value,
      ...(globalDefault ? { globalDefault } : {}),
    });
    call(sim, 1_000_000, (cb) => admin.create(pc("high", 1000), cb));
    call(sim, 1_000_000, (cb) => admin.create(pc("normal", 10, true), cb));
    const high = call<Pod>(sim, 2_000_000, (cb) => admin.create(pod("h", { priorityClassName: "high" }), cb));
    const dflt = call<Pod>(sim, 2_000_000, (cb) => admin.create(pod("d"), cb));
    const crit = call<Pod>(sim, 2_000_000, (cb) =>
      admin.create(pod("c", { priorityClassName: "system-node-critical" }), cb),
    );
    const nope = call<Pod>(sim, 2_000_000, (cb) => admin.create(pod("n", { priorityClassName: "nope" }), cb));
    sim.runUntil(3_000_000);
    expect(high.value?.spec.priority).toBe(1000);
    expect(dflt.value?.spec.priority).toBe(10);
    expect(dflt.value?.spec.priorityClassName).toBe("normal");
    expect(crit.value?.spec.priority).toBe(2_000_001_000);
    expect(nope.error?.code).toBe(403);
    expect(nope.error?.message).toBe('pods "n" is forbidden: no PriorityClass with name nope was found');
  });
});

describe("clients", () => {
  it("wait for their token bucket: burst first, then qps", () => {
    const { sim, cp } = setup();
    const slow = new Client(cp, { name: "slow", user: { name: "u", groups: [] }, qps: 5, burst: 10 });
    const done: number[] = [];
    sim.at(1_000_000, () => {
      for (let i = 0; i < 30; i++) slow.get("pods", "default", "x", () => done.push(sim.now));
    });
    sim.runUntil(20_000_000);
    done.sort((a, b) => a - b);
    expect(done).toHaveLength(30);
    expect(done[9] as number).toBeLessThan(1_100_000);
    // Request 30 waits for 20 tokens at 5/s: 4 s.
    expect(done[29] as number).toBeGreaterThan(5_000_000);
    expect(done[29] as number).toBeLessThan(5_100_000);
    expect(slow.stats.throttledUs).toBeGreaterThan(0);
  });
});
