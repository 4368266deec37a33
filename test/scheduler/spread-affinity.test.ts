import { describe, expect, it } from "vitest";
import type { Node, Pod, ReplicaSet, Service } from "../../src/api/types/index.js";
import { readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { type Explanation, explain } from "../../src/scheduler/explain.js";
import { makeNode, makePod } from "./fixtures.js";

const cfg = (extra: Record<string, unknown> = {}) =>
  readSchedulerConfig({ apiVersion: "kubescheduler.config.k8s.io/v1", kind: "KubeSchedulerConfiguration", ...extra });

function ex(
  nodes: Node[],
  pods: Pod[],
  pod: Pod,
  more: { services?: Service[]; replicaSets?: ReplicaSet[] } = {},
  config = cfg(),
): Explanation {
  return explain({ nodes, pods, ...more }, pod, config);
}

const n = (e: Explanation, name: string) => e.nodes.find((x) => x.name === name);
const f = (e: Explanation, name: string, plugin: string) => n(e, name)?.filters.find((x) => x.plugin === plugin);
const s = (e: Explanation, name: string, plugin: string) => n(e, name)?.scores?.find((x) => x.plugin === plugin);

const zoneNodes = () => [
  makeNode("a1", { zone: "a" }),
  makeNode("a2", { zone: "a" }),
  makeNode("b1", { zone: "b" }),
  makeNode("c1", { zone: "c" }),
  makeNode("nolabel", { labels: { "kubernetes.io/hostname": "nolabel" } }),
];

const app = (name: string, nodeName?: string) =>
  makePod(name, { labels: { app: "web" }, ...(nodeName === undefined ? {} : { nodeName }) });

function spreadPod(
  name: string,
  when: "DoNotSchedule" | "ScheduleAnyway",
  maxSkew: number,
  extra: Record<string, unknown> = {},
): Pod {
  const p = app(name);
  p.spec.topologySpreadConstraints = [
    {
      maxSkew,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: when,
      labelSelector: { matchLabels: { app: "web" } },
      ...extra,
    },
  ];
  return p;
}

describe("PodTopologySpread filter", () => {
  it("rejects when count + self − min > maxSkew; UAU without the key", () => {
    const pods = [app("x1", "a1"), app("x2", "a2"), app("x3", "b1")];
    const e = ex(zoneNodes(), pods, spreadPod("p", "DoNotSchedule", 1));
    // zone counts a=2, b=1, c=0: min 0; a: 2+1−0 = 3 > 1, b: 2 > 1, c: 1 ok.
    expect(f(e, "a1", "PodTopologySpread")?.reasons).toEqual(["node(s) didn't match pod topology spread constraints"]);
    expect(f(e, "b1", "PodTopologySpread")?.status).toBe("Unschedulable");
    expect(f(e, "c1", "PodTopologySpread")?.status).toBe("Success");
    expect(f(e, "nolabel", "PodTopologySpread")).toEqual({
      plugin: "PodTopologySpread",
      status: "UnschedulableAndUnresolvable",
      reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"],
    });
    expect(e.selectedNode).toBe("c1");
  });

  it("treats the global minimum as 0 when there are fewer domains than minDomains", () => {
    const nodes = [makeNode("a1", { zone: "a" }), makeNode("b1", { zone: "b" })];
    const pods = [app("x1", "a1"), app("x2", "b1")];
    // min would be 1 (skew 1 everywhere: fits); with minDomains 3 it is 0, so skew 2 > 1.
    const e = ex(nodes, pods, spreadPod("p", "DoNotSchedule", 1, { minDomains: 3 }));
    expect(e.selectedNode).toBeNull();
    expect(e.message).toContain("2 node(s) didn't match pod topology spread constraints");
  });

  it("Skip when the pod has no hard constraints", () => {
    const e = ex(zoneNodes(), [], makePod("p"));
    expect(e.preFilter.find((x) => x.plugin === "PodTopologySpread")?.status).toBe("Skip");
    expect(e.preScore.find((x) => x.plugin === "PodTopologySpread")?.status).toBe("Skip");
  });
});

describe("PodTopologySpread score", () => {
  it("rounds Σ cnt·ln(size+2) + (maxSkew−1) half away from zero and normalizes 100·(max+min−s)÷max", () => {
    const pods = [app("x1", "a1"), app("x2", "a2"), app("x3", "b1")];
    const e = ex(zoneNodes(), pods, spreadPod("p", "ScheduleAnyway", 2));
    // Candidates a1, a2, b1, c1 (nolabel ignored): 3 zones → w = ln 5.
    const w = Math.log(5);
    expect(s(e, "a1", "PodTopologySpread")?.raw).toBe(Math.round(2 * w + 1));
    expect(s(e, "b1", "PodTopologySpread")?.raw).toBe(Math.round(1 * w + 1));
    expect(s(e, "c1", "PodTopologySpread")?.raw).toBe(1);
    const max = Math.round(2 * w + 1);
    const min = 1;
    expect(s(e, "a1", "PodTopologySpread")?.normalized).toBe(Math.trunc((100 * (max + min - max)) / max));
    expect(s(e, "c1", "PodTopologySpread")?.normalized).toBe(100);
    // Explicit constraints: a node missing the key is ignored and scores 0.
    expect(s(e, "nolabel", "PodTopologySpread")).toEqual({
      plugin: "PodTopologySpread",
      raw: 0,
      normalized: 0,
      weight: 2,
      weighted: 0,
    });
  });

  it("applies the system default constraints to pods selected by a Service or owned by a ReplicaSet", () => {
    const nodes = [makeNode("h1"), makeNode("h2"), makeNode("h3")];
    const owned = (name: string, nodeName?: string) =>
      makePod(name, {
        labels: { app: "web", hash: "1" },
        ownerRS: "web-1",
        ...(nodeName === undefined ? {} : { nodeName }),
      });
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web-1", namespace: "default" },
      spec: { selector: { matchLabels: { app: "web", hash: "1" } } },
    };
    const pods = [owned("x1", "h1"), owned("x2", "h1"), owned("x3", "h2")];
    const e = ex(nodes, pods, owned("p"), { replicaSets: [rs] });
    // No zone labels: system defaulting does not ignore them; hostname counts 2,1,0 with w = ln 5.
    const w = Math.log(5);
    expect(s(e, "h1", "PodTopologySpread")?.raw).toBe(Math.round(2 * w + 2));
    expect(s(e, "h3", "PodTopologySpread")?.raw).toBe(2);
    expect(e.selectedNode).toBe("h3");
    // Without the ReplicaSet (and no Service) nothing selects the pod: no default spreading.
    expect(ex(nodes, pods, owned("p")).preScore.find((x) => x.plugin === "PodTopologySpread")?.status).toBe("Skip");
    // A Service selecting the pod is enough.
    const svc: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { selector: { app: "web" } },
    };
    expect(
      ex(nodes, pods, owned("p"), { services: [svc] }).preScore.find((x) => x.plugin === "PodTopologySpread")?.status,
    ).toBe("Success");
  });
});

describe("InterPodAffinity", () => {
  const withAffinity = (
    name: string,
    kind: "podAffinity" | "podAntiAffinity",
    key: string,
    labels: Record<string, string>,
    nodeName?: string,
  ) => {
    const p = makePod(name, { labels, ...(nodeName === undefined ? {} : { nodeName }) });
    p.spec.affinity = {
      [kind]: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: "db" } }, topologyKey: key },
        ],
      },
    };
    return p;
  };

  it("lets the first pod of a self-affine group in, then requires a match in the domain", () => {
    const nodes = [makeNode("a1", { zone: "a" }), makeNode("b1", { zone: "b" })];
    const first = ex(nodes, [], withAffinity("p", "podAffinity", "topology.kubernetes.io/zone", { app: "db" }));
    expect(first.feasibleNodes).toBe(2);
    const e = ex(
      nodes,
      [makePod("db0", { labels: { app: "db" }, nodeName: "b1" })],
      withAffinity("p", "podAffinity", "topology.kubernetes.io/zone", { app: "db" }),
    );
    expect(e.selectedNode).toBe("b1");
    expect(f(e, "a1", "InterPodAffinity")).toEqual({
      plugin: "InterPodAffinity",
      status: "UnschedulableAndUnresolvable",
      reasons: ["node(s) didn't match pod affinity rules"],
    });
    // A pod that does not match its own terms gets no exception.
    const stranger = ex(nodes, [], withAffinity("q", "podAffinity", "topology.kubernetes.io/zone", { app: "web" }));
    expect(stranger.selectedNode).toBeNull();
  });

  it("enforces the pod's anti-affinity and existing pods' anti-affinity (symmetry)", () => {
    const nodes = [makeNode("h1"), makeNode("h2")];
    const e = ex(
      nodes,
      [makePod("db0", { labels: { app: "db" }, nodeName: "h1" })],
      withAffinity("p", "podAntiAffinity", "kubernetes.io/hostname", { app: "db" }),
    );
    expect(f(e, "h1", "InterPodAffinity")?.reasons).toEqual(["node(s) didn't match pod anti-affinity rules"]);
    expect(e.selectedNode).toBe("h2");
    const sym = ex(
      nodes,
      [withAffinity("guard", "podAntiAffinity", "kubernetes.io/hostname", { app: "x" }, "h2")],
      makePod("p", { labels: { app: "db" } }),
    );
    expect(f(sym, "h2", "InterPodAffinity")?.reasons).toEqual([
      "node(s) didn't satisfy existing pods anti-affinity rules",
    ]);
    expect(sym.selectedNode).toBe("h1");
  });

  it("scores preferred terms (negative for anti-affinity) and normalizes over the real extremes", () => {
    const nodes = [makeNode("h1"), makeNode("h2"), makeNode("h3")];
    const pods = [
      makePod("db0", { labels: { app: "db" }, nodeName: "h1" }),
      makePod("c0", { labels: { app: "cache" }, nodeName: "h2" }),
    ];
    const p = makePod("p");
    p.spec.affinity = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 50,
            podAffinityTerm: { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" },
          },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 20,
            podAffinityTerm: {
              labelSelector: { matchLabels: { app: "cache" } },
              topologyKey: "kubernetes.io/hostname",
            },
          },
        ],
      },
    };
    const e = ex(nodes, pods, p);
    expect([
      s(e, "h1", "InterPodAffinity")?.raw,
      s(e, "h2", "InterPodAffinity")?.raw,
      s(e, "h3", "InterPodAffinity")?.raw,
    ]).toEqual([50, -20, 0]);
    // 100·(s − min)/(max − min): 100, 0, 28.57 → 28.
    expect([
      s(e, "h1", "InterPodAffinity")?.normalized,
      s(e, "h2", "InterPodAffinity")?.normalized,
      s(e, "h3", "InterPodAffinity")?.normalized,
    ]).toEqual([100, 0, 28]);
  });

  it("counts existing pods' required affinity with hardPodAffinityWeight", () => {
    const nodes = [makeNode("h1"), makeNode("h2")];
    const existing = withAffinity("e", "podAffinity", "kubernetes.io/hostname", { app: "x" }, "h1");
    const e = ex(nodes, [existing], makePod("p", { labels: { app: "db" } }));
    expect(s(e, "h1", "InterPodAffinity")?.raw).toBe(1);
    const heavy = cfg({
      profiles: [{ pluginConfig: [{ name: "InterPodAffinity", args: { hardPodAffinityWeight: 7 } }] }],
    });
    expect(
      s(ex(nodes, [existing], makePod("p", { labels: { app: "db" } }), {}, heavy), "h1", "InterPodAffinity")?.raw,
    ).toBe(7);
  });

  it("matches namespaces through namespaceSelector", () => {
    const nodes = [makeNode("h1"), makeNode("h2")];
    const p = makePod("p", { ns: "web" });
    p.spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { app: "db" } },
            namespaceSelector: { matchLabels: { team: "data" } },
            topologyKey: "kubernetes.io/hostname",
          },
        ],
      },
    };
    const pods = [
      makePod("db0", { ns: "storage", labels: { app: "db" }, nodeName: "h1" }),
      makePod("db1", { ns: "other", labels: { app: "db" }, nodeName: "h2" }),
    ];
    const e = explain(
      {
        nodes,
        pods,
        namespaces: [
          { metadata: { name: "storage", labels: { team: "data" } } },
          { metadata: { name: "other", labels: {} } },
        ],
      },
      p,
      cfg(),
    );
    expect(f(e, "h1", "InterPodAffinity")?.status).toBe("Unschedulable");
    expect(e.selectedNode).toBe("h2");
  });
});
