import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../../src/api/types/core.js";
import { readSchedulerConfig } from "../../src/scheduler/config/parse.js";
import { type Explanation, explain, type NodeExplanation } from "../../src/scheduler/explain.js";
import { goDiv, goRound, goTrunc } from "../../src/scheduler/nodetable/gomath.js";
import { makeNode, makePod } from "./fixtures.js";

function cfg(extra: Record<string, unknown> = {}) {
  return readSchedulerConfig({
    apiVersion: "kubescheduler.config.k8s.io/v1",
    kind: "KubeSchedulerConfiguration",
    ...extra,
  });
}

function fitConfig(args: Record<string, unknown>) {
  return cfg({ profiles: [{ pluginConfig: [{ name: "NodeResourcesFit", args }] }] });
}

function run(nodes: Node[], pods: Pod[], pod: Pod, config = cfg()): Explanation {
  return explain({ nodes, pods }, pod, config);
}

function node(e: Explanation, name: string): NodeExplanation {
  const n = e.nodes.find((x) => x.name === name);
  if (n === undefined) throw new Error(`no node ${name}`);
  return n;
}

function raw(e: Explanation, name: string, plugin: string): number | undefined {
  return node(e, name).scores?.find((s) => s.plugin === plugin)?.raw;
}

function norm(e: Explanation, name: string, plugin: string): number | undefined {
  return node(e, name).scores?.find((s) => s.plugin === plugin)?.normalized;
}

function filter(e: Explanation, name: string, plugin: string) {
  return node(e, name).filters.find((f) => f.plugin === plugin);
}

describe("Go arithmetic helpers (§9)", () => {
  it("rounds half away from zero", () => {
    expect(goRound(2.5)).toBe(3);
    expect(goRound(-2.5)).toBe(-3);
    expect(goRound(-2.4)).toBe(-2);
    expect(Math.round(-2.5)).toBe(-2); // the JS trap
  });
  it("divides and converts toward zero", () => {
    expect(goDiv(-15, 2)).toBe(-7);
    expect(goDiv(15, 2)).toBe(7);
    expect(goTrunc(-7.9)).toBe(-7);
  });
});

describe("NodeResourcesFit", () => {
  const n1 = makeNode("n1", { cpu: "4", memory: "32Gi" });
  const other = makeNode("n2", { cpu: "4", memory: "32Gi" });
  const existing = makePod("e", { cpu: "1", memory: "8Gi", nodeName: "n1" });

  it("LeastAllocated: Σ((alloc−req)·100 ÷ alloc)·w ÷ Σw with integer division", () => {
    const e = run([n1, other], [existing], makePod("p", { cpu: "1", memory: "4Gi" }));
    // cpu (4000−2000)·100÷4000 = 50; memory (32−12)/32·100 = 62.5 → 62; (50+62)÷2 = 56.
    expect(raw(e, "n1", "NodeResourcesFit")).toBe(56);
  });

  it("MostAllocated", () => {
    const e = run(
      [n1, other],
      [existing],
      makePod("p", { cpu: "1", memory: "4Gi" }),
      fitConfig({ scoringStrategy: { type: "MostAllocated" } }),
    );
    // cpu 2000·100÷4000 = 50; memory 12/32 → 37; (50+37)÷2 = 43.
    expect(raw(e, "n1", "NodeResourcesFit")).toBe(43);
  });

  it("uses the per-container non-zero defaults for scoring only", () => {
    const small = makeNode("s", { cpu: "1", memory: "1Gi" });
    const three: Pod = makePod("p");
    three.spec.containers = [
      { name: "a", image: "x" },
      { name: "b", image: "x" },
      { name: "c", image: "x" },
    ];
    const e = run([small, makeNode("t", { cpu: "1", memory: "1Gi" })], [], three);
    // 300m of 1000m → 70; 600 MiB of 1 GiB → (1024−600)·100÷1024 = 41; (70+41)÷2 = 55.
    expect(raw(e, "s", "NodeResourcesFit")).toBe(55);
    // An explicit 0 stays 0.
    const zero = makePod("z", { cpu: "0", memory: "0" });
    expect(raw(run([small, makeNode("t", { cpu: "1", memory: "1Gi" })], [], zero), "s", "NodeResourcesFit")).toBe(100);
  });

  it("RequestedToCapacityRatio truncates a negative slope toward zero and rounds half away", () => {
    const config = fitConfig({
      scoringStrategy: {
        type: "RequestedToCapacityRatio",
        resources: [{ name: "cpu", weight: 1 }],
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 10 },
            { utilization: 30, score: 0 },
          ],
        },
      },
    });
    const n = makeNode("a", { cpu: "10", memory: "32Gi" });
    // util = 2000·100÷10000 = 20; 100 + (−100·20)÷30 = 100 − 66 = 34 (floor would give 33).
    const e = run([n, makeNode("b", { cpu: "10" })], [], makePod("p", { cpu: "2" }), config);
    expect(raw(e, "a", "NodeResourcesFit")).toBe(34);
    const config2 = fitConfig({
      scoringStrategy: {
        type: "RequestedToCapacityRatio",
        resources: [
          { name: "cpu", weight: 1 },
          { name: "memory", weight: 1 },
        ],
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 0 },
            { utilization: 100, score: 10 },
          ],
        },
      },
    });
    // cpu util 50 → 50; memory util 51 (16.32Gi of 32Gi) → 51; round(101/2) = 51.
    const m = makeNode("m", { cpu: "10", memory: "100Gi" });
    const e2 = run(
      [m, makeNode("o", { cpu: "10", memory: "100Gi" })],
      [],
      makePod("p", { cpu: "5", memory: "51Gi" }),
      config2,
    );
    expect(raw(e2, "m", "NodeResourcesFit")).toBe(51);
  });

  it("leaves out resources with allocatable 0 and scalars the pod does not request", () => {
    const config = fitConfig({
      scoringStrategy: {
        type: "LeastAllocated",
        resources: [
          { name: "cpu", weight: 1 },
          { name: "memory", weight: 1 },
          { name: "example.com/gpu", weight: 5 },
        ],
      },
    });
    const g = makeNode("g", { cpu: "4", memory: "32Gi", extra: { "example.com/gpu": "4" } });
    const e = run([g, makeNode("h")], [], makePod("p", { cpu: "1", memory: "4Gi" }), config);
    // gpu not requested → ignored: (75 + 87) ÷ 2 = 81.
    expect(raw(e, "g", "NodeResourcesFit")).toBe(81);
  });

  it("reports every insufficient resource (reason strings as upstream prints them)", () => {
    const full = makeNode("f", { cpu: "1", memory: "1Gi", pods: "1", extra: { "example.com/foo": "1" } });
    const running = makePod("r", { cpu: "500m", memory: "512Mi", nodeName: "f" });
    const p = makePod("p", { cpu: "1", memory: "1Gi" });
    (p.spec.containers[0]?.resources?.requests as Record<string, string>)["example.com/foo"] = "2";
    const e = run([full], [running], p);
    const f = filter(e, "f", "NodeResourcesFit");
    expect(f?.status).toBe("Unschedulable");
    expect(new Set(f?.reasons)).toEqual(
      new Set(["Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient example.com/foo"]),
    );
    expect(e.message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient example.com/foo, 1 Insufficient memory, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
  });

  it("counts init containers, sidecars and overhead in the request", () => {
    const p = makePod("p");
    p.spec.initContainers = [
      { name: "side", image: "x", restartPolicy: "Always", resources: { requests: { cpu: "500m" } } },
      { name: "init", image: "x", resources: { requests: { cpu: "2" } } },
    ];
    p.spec.containers = [{ name: "app", image: "x", resources: { requests: { cpu: "1" } } }];
    p.spec.overhead = { cpu: "250m" };
    // max(1 + 0.5, 2 + 0.5) + 0.25 = 2.75 cores: fits 3, not 2.5.
    const e = run([makeNode("a", { cpu: "2500m" }), makeNode("b", { cpu: "3" })], [], p);
    expect(filter(e, "a", "NodeResourcesFit")?.reasons).toEqual(["Insufficient cpu"]);
    expect(filter(e, "b", "NodeResourcesFit")?.status).toBe("Success");
  });
});

describe("NodeResourcesBalancedAllocation", () => {
  it("scores int64((1 − |f1 − f2| ÷ 2) × 100) with true requests", () => {
    const n = makeNode("n", { cpu: "4", memory: "32Gi" });
    const e = run([n, makeNode("m")], [], makePod("p", { cpu: "1", memory: "4Gi" }));
    // cpu 0.25, memory 0.125: std 0.0625 → 93.75 → 93.
    expect(raw(e, "n", "NodeResourcesBalancedAllocation")).toBe(93);
  });

  it("uses the population standard deviation over three resources", () => {
    const config = cfg({
      profiles: [
        {
          pluginConfig: [
            {
              name: "NodeResourcesBalancedAllocation",
              args: {
                resources: [
                  { name: "cpu", weight: 1 },
                  { name: "memory", weight: 1 },
                  { name: "example.com/gpu", weight: 1 },
                ],
              },
            },
          ],
        },
      ],
    });
    const g = makeNode("g", { cpu: "4", memory: "32Gi", extra: { "example.com/gpu": "4" } });
    const p = makePod("p", { cpu: "1", memory: "16Gi" });
    (p.spec.containers[0]?.resources?.requests as Record<string, string>)["example.com/gpu"] = "3";
    const e = run([g, makeNode("h", { extra: { "example.com/gpu": "4" } })], [], p, config);
    const f = [0.25, 0.5, 0.75];
    const mean = (f[0] + f[1] + f[2]) / 3;
    const std = Math.sqrt(f.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
    expect(raw(e, "g", "NodeResourcesBalancedAllocation")).toBe(Math.trunc((1 - std) * 100));
  });

  it("skips best-effort pods (v1.33): the plugin adds nothing", () => {
    const e = run([makeNode("a"), makeNode("b")], [], makePod("p"));
    expect(e.preScore.find((s) => s.plugin === "NodeResourcesBalancedAllocation")?.status).toBe("Skip");
    expect(node(e, "a").scores?.some((s) => s.plugin === "NodeResourcesBalancedAllocation")).toBe(false);
  });
});

describe("TaintToleration", () => {
  const t = (key: string, effect: string, value = "") => ({ key, value, effect });
  it("filters the first untolerated NoSchedule/NoExecute taint", () => {
    const e = run(
      [makeNode("a", { taints: [t("soft", "PreferNoSchedule"), t("dedicated", "NoExecute", "db")] })],
      [],
      makePod("p"),
    );
    expect(filter(e, "a", "TaintToleration")).toEqual({
      plugin: "TaintToleration",
      status: "UnschedulableAndUnresolvable",
      reasons: ["node(s) had untolerated taint {dedicated: db}"],
    });
  });

  it("normalizes intolerable PreferNoSchedule counts in reverse", () => {
    const nodes = [
      makeNode("zero"),
      makeNode("one", { taints: [t("a", "PreferNoSchedule")] }),
      makeNode("two", { taints: [t("a", "PreferNoSchedule"), t("b", "PreferNoSchedule")] }),
    ];
    const e = run(nodes, [], makePod("p", { tolerations: [{ key: "c", operator: "Exists" }] }));
    expect([
      raw(e, "zero", "TaintToleration"),
      raw(e, "one", "TaintToleration"),
      raw(e, "two", "TaintToleration"),
    ]).toEqual([0, 1, 2]);
    expect([
      norm(e, "zero", "TaintToleration"),
      norm(e, "one", "TaintToleration"),
      norm(e, "two", "TaintToleration"),
    ]).toEqual([100, 50, 0]);
    // With no soft taints every node gets 100 (the constant 300 offset, §9).
    const plain = run([makeNode("a"), makeNode("b")], [], makePod("p"));
    expect(norm(plain, "a", "TaintToleration")).toBe(100);
  });
});

describe("NodeUnschedulable and NodeName", () => {
  it("rejects cordoned nodes unless the pod tolerates the unschedulable taint", () => {
    const e = run([makeNode("a", { unschedulable: true }), makeNode("b")], [], makePod("p"));
    expect(filter(e, "a", "NodeUnschedulable")?.reasons).toEqual(["node(s) were unschedulable"]);
    const tol = makePod("q", {
      tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }],
    });
    expect(filter(run([makeNode("a", { unschedulable: true })], [], tol), "a", "NodeUnschedulable")?.status).toBe(
      "Success",
    );
  });
});

describe("NodeAffinity", () => {
  const nodes = [
    makeNode("a", { labels: { disk: "ssd", gen: "5" } }),
    makeNode("b", { labels: { disk: "hdd", gen: "3" } }),
    makeNode("c"),
  ];

  it("filters on nodeSelector and required terms", () => {
    const e = run(nodes, [], makePod("p", { spec: { nodeSelector: { disk: "ssd" } } }));
    expect(e.selectedNode).toBe("a");
    expect(filter(e, "b", "NodeAffinity")?.reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    const gt = makePod("q", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }],
            },
          },
        },
      },
    });
    expect(run(nodes, [], gt).selectedNode).toBe("a");
  });

  it("restricts the scan to matchFields node names (PreFilterResult)", () => {
    const p = makePod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["b"] }] }],
            },
          },
        },
      },
    });
    const e = run(nodes, [], p);
    expect(e.preFilter.find((s) => s.plugin === "NodeAffinity")?.nodeNames).toEqual(["b"]);
    expect(e.selectedNode).toBe("b");
    expect(e.evaluatedNodes).toBe(1);
  });

  it("scores preferred terms and normalizes by the maximum", () => {
    const p = makePod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 30, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
              { weight: 10, preference: { matchExpressions: [{ key: "gen", operator: "Exists" }] } },
            ],
          },
        },
      },
    });
    const e = run(nodes, [], p);
    expect([raw(e, "a", "NodeAffinity"), raw(e, "b", "NodeAffinity"), raw(e, "c", "NodeAffinity")]).toEqual([
      40, 10, 0,
    ]);
    expect([norm(e, "a", "NodeAffinity"), norm(e, "b", "NodeAffinity"), norm(e, "c", "NodeAffinity")]).toEqual([
      100, 25, 0,
    ]);
  });

  it("applies the scheduler-enforced addedAffinity", () => {
    const config = cfg({
      profiles: [
        {
          pluginConfig: [
            {
              name: "NodeAffinity",
              args: {
                addedAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] }],
                  },
                },
              },
            },
          ],
        },
      ],
    });
    const e = run(nodes, [], makePod("p"), config);
    expect(e.selectedNode).toBe("b");
    expect(filter(e, "a", "NodeAffinity")?.reasons).toEqual(["node(s) didn't match scheduler-enforced node affinity"]);
  });
});

describe("NodePorts", () => {
  const withPort = (name: string, port: number, ip?: string, nodeName?: string) => {
    const p = makePod(name, nodeName === undefined ? {} : { nodeName });
    (p.spec.containers[0] as { ports?: unknown }).ports = [
      { containerPort: 80, hostPort: port, ...(ip === undefined ? {} : { hostIP: ip }) },
    ];
    return p;
  };
  it("conflicts on the same protocol and port when either IP is 0.0.0.0 or they match", () => {
    const nodes = [makeNode("a"), makeNode("b")];
    const e = run(nodes, [withPort("x", 8080, "10.0.0.1", "a")], withPort("p", 8080));
    expect(filter(e, "a", "NodePorts")?.reasons).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
    expect(e.selectedNode).toBe("b");
    const other = run(nodes, [withPort("x", 8080, "10.0.0.1", "a")], withPort("p", 8080, "10.0.0.2"));
    expect(filter(other, "a", "NodePorts")?.status).toBe("Success");
    const none = run(nodes, [], makePod("q"));
    expect(none.preFilter.find((s) => s.plugin === "NodePorts")?.status).toBe("Skip");
  });
});

describe("ImageLocality", () => {
  it("scales image sizes by spread and clamps to [23 MiB, 1000 MiB × containers]", () => {
    const big = 500 * 1024 * 1024;
    const nodes = [
      makeNode("a", { images: [{ names: ["repo/app:v1"], sizeBytes: big }] }),
      makeNode("b", { images: [{ names: ["repo/app:v1"], sizeBytes: big }] }),
      makeNode("c"),
      makeNode("d"),
    ];
    const e = run(nodes, [], makePod("p", { image: "repo/app:v1" }));
    const sum = Math.trunc(big * (2 / 4));
    const lo = 23 * 1024 * 1024;
    const hi = 1000 * 1024 * 1024;
    expect(raw(e, "a", "ImageLocality")).toBe(Math.trunc((100 * (sum - lo)) / (hi - lo)));
    expect(raw(e, "c", "ImageLocality")).toBe(0);
    // "repo/app" without a tag is read as "repo/app:latest".
    const latest = [makeNode("x", { images: [{ names: ["repo/app:latest"], sizeBytes: big }] }), makeNode("y")];
    expect(raw(run(latest, [], makePod("q", { image: "repo/app" })), "x", "ImageLocality")).toBeGreaterThan(0);
  });
});

describe("SchedulingGates", () => {
  it("prints the gates as a Go slice", async () => {
    const { SchedulingGates } = await import("../../src/scheduler/plugins/scheduling-gates.js");
    const { PodInfo } = await import("../../src/scheduler/cache/pod-info.js");
    const s = new SchedulingGates().preEnqueue(
      new PodInfo(makePod("g", { spec: { schedulingGates: [{ name: "a" }, { name: "b" }] } })),
    );
    expect(s?.code).toBe(3);
    expect(s?.reasons).toEqual(["waiting for scheduling gates: [a b]"]);
  });
});
