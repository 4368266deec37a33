import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/api/types/index.js";
import type { FlowControlPort } from "../../src/apiserver/apiserver.js";
import { Client } from "../../src/apiserver/client.js";
import { Informer } from "../../src/apiserver/informer.js";
import { call, pod, setup } from "./helpers.js";

// A stand-in flow control that holds every request 50 ms before it starts.
const delayed = (holdUs: number): NonNullable<Parameters<typeof setup>[0]>["apiserver"] => ({
  flowControl: (sim) =>
    ({
      handle: (_req, start) => sim.after(holdUs, () => start(holdUs, () => {}, { priorityLevel: "test" })),
    }) satisfies FlowControlPort,
});

describe("API metrics", () => {
  it("split flow-control queue wait from processing: the SLI excludes the wait", () => {
    const { sim, cp, admin } = setup({ apiserver: delayed(50_000) });
    for (let i = 0; i < 20; i++) call<Pod>(sim, 1_000_000 + i * 100_000, (cb) => admin.create(pod(`p${i}`), cb));
    sim.runUntil(5_000_000);
    const s = cp.metrics.seriesFor("create", "pods", "", "resource");
    expect(s.sli.count).toBe(20);
    expect(s.queueWait.quantile(0.5)).toBe(50_000);
    expect(s.sli.max).toBeLessThan(50_000);
    expect(s.client.quantile(0.5)).toBeGreaterThan(50_000);
    const summary = cp.metrics.summary() as { verb: string; sloMet: boolean; codes: Record<string, number> }[];
    const create = summary.find((x) => x.verb === "create");
    expect(create?.sloMet).toBe(true);
    expect(create?.codes).toEqual({ "201": 20 });
  });

  it("scope LISTs as namespace or cluster for their SLO thresholds", () => {
    const { sim, cp, admin } = setup();
    call(sim, 1_000_000, (cb) => admin.list("pods", { namespace: "default" }, cb));
    call(sim, 1_000_000, (cb) => admin.list("pods", {}, cb));
    call(sim, 1_000_000, (cb) => admin.list("nodes", {}, cb));
    sim.runUntil(2_000_000);
    const scopes = cp.metrics.all().map((s) => `${s.verb} ${s.resource} ${s.scope}`);
    expect(scopes).toEqual(["list nodes cluster", "list pods cluster", "list pods namespace"]);
  });
});

describe("replicas", () => {
  it("a replica restart moves its clients to another replica; their informers relist or re-watch and converge", () => {
    const { sim, cp, admin } = setup({ apiservers: 2 });
    const c = new Client(cp, {
      name: "controller",
      user: { name: "system:kube-controller-manager", groups: [] },
      qps: 20,
      burst: 30,
    });
    const inf = new Informer(c, sim, "pods");
    sim.at(100_000, () => inf.start());
    for (let i = 0; i < 30; i++) call<Pod>(sim, 1_000_000 + i * 50_000, (cb) => admin.create(pod(`a${i}`), cb));
    sim.at(5_000_000, () => cp.stopApiServer(1));
    for (let i = 0; i < 30; i++) call<Pod>(sim, 6_000_000 + i * 50_000, (cb) => admin.create(pod(`b${i}`), cb));
    sim.at(20_000_000, () => cp.startApiServer(1));
    for (let i = 0; i < 30; i++) call<Pod>(sim, 25_000_000 + i * 50_000, (cb) => admin.create(pod(`c${i}`), cb));
    sim.runUntil(40_000_000);
    expect(inf.size).toBe(90);
    expect(inf.stats.watches).toBeGreaterThan(1);
    expect(cp.apiservers[1]?.up).toBe(true);
    expect(cp.apiservers[1]?.cache("pods").count).toBe(90);
  });
});
