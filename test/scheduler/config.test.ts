import { describe, expect, it } from "vitest";
import { InputError } from "../../src/engine/errors.js";
import { defaultSchedulerConfig, parseSchedulerConfig } from "../../src/scheduler/config/parse.js";

const HEAD = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";

function errorOf(text: string): string {
  try {
    parseSchedulerConfig(HEAD + text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("configuration defaults", () => {
  const c = defaultSchedulerConfig();
  const p = c.profiles[0];

  it("fills the global defaults", () => {
    expect(c.parallelism).toBe(16);
    expect(c.percentageOfNodesToScore).toBe(0);
    expect(c.podInitialBackoffSeconds).toBe(1);
    expect(c.podMaxBackoffSeconds).toBe(10);
    expect(c.clientConnection).toEqual({ qps: 50, burst: 100 });
    expect(c.profiles.length).toBe(1);
    expect(p?.schedulerName).toBe("default-scheduler");
    expect(c.kubesim.fusedKernel).toBe("wasm");
  });

  it("expands the default multiPoint list in order", () => {
    expect(p?.points.filter).toEqual([
      "NodeUnschedulable",
      "NodeName",
      "TaintToleration",
      "NodeAffinity",
      "NodePorts",
      "NodeResourcesFit",
      "VolumeRestrictions",
      "NodeVolumeLimits",
      "VolumeBinding",
      "VolumeZone",
      "PodTopologySpread",
      "InterPodAffinity",
    ]);
    expect(p?.points.score).toEqual([
      "TaintToleration",
      "NodeAffinity",
      "NodeResourcesFit",
      "PodTopologySpread",
      "InterPodAffinity",
      "NodeResourcesBalancedAllocation",
      "ImageLocality",
    ]);
    expect(p?.points.preEnqueue).toEqual(["SchedulingGates"]);
    expect(p?.points.queueSort).toEqual(["PrioritySort"]);
    expect(p?.points.postFilter).toEqual(["DefaultPreemption"]);
    expect(p?.points.bind).toEqual(["DefaultBinder"]);
    expect(p?.weights).toEqual({
      TaintToleration: 3,
      NodeAffinity: 2,
      NodeResourcesFit: 1,
      PodTopologySpread: 2,
      InterPodAffinity: 2,
      NodeResourcesBalancedAllocation: 1,
      ImageLocality: 1,
    });
  });

  it("defaults every plugin's args", () => {
    expect(p?.args.NodeResourcesFit.scoringStrategy).toEqual({
      type: "LeastAllocated",
      resources: [
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
      ],
    });
    expect(p?.args.NodeResourcesBalancedAllocation.resources).toEqual([
      { name: "cpu", weight: 1 },
      { name: "memory", weight: 1 },
    ]);
    expect(p?.args.PodTopologySpread).toEqual({ defaultConstraints: [], defaultingType: "System" });
    expect(p?.args.InterPodAffinity).toEqual({ hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false });
    expect(p?.args.DefaultPreemption).toEqual({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
    expect(p?.args.VolumeBinding).toEqual({ bindTimeoutSeconds: 600 });
  });
});

describe("profiles and plugins", () => {
  it("overrides a default plugin in place and appends new ones (mergePluginSet)", () => {
    const c = parseSchedulerConfig(`${HEAD}profiles:
- plugins:
    multiPoint:
      enabled:
      - name: ImageLocality
        weight: 5
      - name: NodeAffinity
        weight: 7
    score:
      disabled:
      - name: TaintToleration
`);
    const p = c.profiles[0];
    expect(p?.weights.ImageLocality).toBe(5);
    expect(p?.weights.NodeAffinity).toBe(7);
    expect(p?.points.score).not.toContain("TaintToleration");
    expect(p?.points.filter).toContain("TaintToleration");
    // Overridden defaults keep their position.
    expect(p?.points.score.indexOf("NodeAffinity")).toBe(0);
  });

  it("puts explicitly enabled points before multiPoint ones and a score weight wins", () => {
    const c = parseSchedulerConfig(`${HEAD}profiles:
- plugins:
    score:
      enabled:
      - name: NodeResourcesFit
        weight: 9
      - name: ImageLocality
        weight: 4
`);
    const p = c.profiles[0];
    expect(p?.points.score.slice(0, 2)).toEqual(["NodeResourcesFit", "ImageLocality"]);
    expect(p?.weights.NodeResourcesFit).toBe(9);
    expect(p?.weights.ImageLocality).toBe(4);
  });

  it("disabling '*' at a point drops every multiPoint plugin there", () => {
    const c = parseSchedulerConfig(`${HEAD}profiles:
- plugins:
    score:
      disabled:
      - name: "*"
      enabled:
      - name: NodeResourcesFit
`);
    expect(c.profiles[0]?.points.score).toEqual(["NodeResourcesFit"]);
    expect(c.profiles[0]?.weights.NodeResourcesFit).toBe(1);
  });

  it("weight 0 means 1", () => {
    const c = parseSchedulerConfig(`${HEAD}profiles:
- plugins:
    multiPoint:
      enabled:
      - name: ImageLocality
        weight: 0
`);
    expect(c.profiles[0]?.weights.ImageLocality).toBe(1);
  });

  it("reads two profiles and per-profile percentage", () => {
    const c = parseSchedulerConfig(`${HEAD}percentageOfNodesToScore: 40
profiles:
- schedulerName: a
- schedulerName: b
  percentageOfNodesToScore: 70
`);
    expect(c.percentageOfNodesToScore).toBe(40);
    expect(c.profiles.map((p) => [p.schedulerName, p.percentageOfNodesToScore])).toEqual([
      ["a", undefined],
      ["b", 70],
    ]);
  });

  it("reads args, from JSON too", () => {
    const c = parseSchedulerConfig(
      JSON.stringify({
        apiVersion: "kubescheduler.config.k8s.io/v1",
        kind: "KubeSchedulerConfiguration",
        profiles: [
          {
            pluginConfig: [
              {
                name: "NodeResourcesFit",
                args: {
                  scoringStrategy: {
                    type: "RequestedToCapacityRatio",
                    resources: [{ name: "cpu", weight: 3 }],
                    requestedToCapacityRatio: {
                      shape: [
                        { utilization: 0, score: 10 },
                        { utilization: 100, score: 0 },
                      ],
                    },
                  },
                },
              },
              {
                name: "PodTopologySpread",
                args: {
                  defaultingType: "List",
                  defaultConstraints: [
                    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    const a = c.profiles[0]?.args;
    expect(a?.NodeResourcesFit.scoringStrategy.type).toBe("RequestedToCapacityRatio");
    expect(a?.NodeResourcesFit.scoringStrategy.resources).toEqual([{ name: "cpu", weight: 3 }]);
    expect(a?.PodTopologySpread.defaultingType).toBe("List");
  });
});

describe("validation errors name the path", () => {
  const cases: [string, string][] = [
    ["parallelism: 0\n", "parallelism: expected an integer value greater than zero, found 0"],
    [
      "percentageOfNodesToScore: 101\n",
      "percentageOfNodesToScore: expected a percentage in the valid range [0-100], found 101",
    ],
    ["podInitialBackoffSeconds: 0\n", "podInitialBackoffSeconds: expected an integer greater than 0, found 0"],
    [
      "podMaxBackoffSeconds: 0\n",
      "podMaxBackoffSeconds: expected an integer greater than or equal to podInitialBackoffSeconds (1), found 0",
    ],
    [
      "profiles:\n- plugins:\n    score:\n      enabled:\n      - name: ImageLocality\n      - name: NodeResourcesFit\n        weight: -1\n",
      "profiles[0].plugins.score.enabled[1].weight: expected a weight >= 0 (weights must not be negative), found -1",
    ],
    [
      "profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: ImageLocality\n",
      'profiles[0].plugins.filter.enabled[0].name: expected a plugin that extends FilterPlugin, found "ImageLocality"',
    ],
    [
      "profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: EBSLimits\n",
      "profiles[0].plugins.filter.enabled[0].name",
    ],
    [
      "profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: Frobnicate\n",
      "profiles[0].plugins.filter.enabled[0].name: expected a known plugin",
    ],
    [
      "profiles:\n- schedulerName: a\n- schedulerName: a\n",
      'profiles[1].schedulerName: expected a name not already used by profiles[0].schedulerName, found "a"',
    ],
    ["profiles:\n- schedulerName: a\n- {}\n", "profiles[1].schedulerName: expected a scheduler name"],
    [
      "profiles:\n- plugins:\n    queueSort:\n      disabled:\n      - name: '*'\n",
      "profiles[0].plugins.queueSort: expected exactly one queue sort plugin",
    ],
    [
      "profiles:\n- plugins:\n    bind:\n      disabled:\n      - name: '*'\n",
      "profiles[0].plugins.bind: expected at least one bind plugin",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: InterPodAffinity\n    args:\n      hardPodAffinityWeight: 101\n",
      "profiles[0].pluginConfig[0].args.hardPodAffinityWeight: expected a value in the valid range [0, 100], found 101",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: DefaultPreemption\n    args:\n      minCandidateNodesPercentage: 0\n      minCandidateNodesAbsolute: 0\n",
      "profiles[0].pluginConfig[0].args.minCandidateNodesPercentage",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: RequestedToCapacityRatio\n",
      "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio: expected a shape",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: RequestedToCapacityRatio\n        requestedToCapacityRatio:\n          shape:\n          - utilization: 50\n            score: 3\n          - utilization: 40\n            score: 4\n",
      "profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1].utilization: expected utilization values sorted in increasing order, found 40",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: MostAllocated\n        resources:\n        - name: cpu\n          weight: 101\n",
      "profiles[0].pluginConfig[0].args.scoringStrategy.resources[0].weight: expected a weight in the valid range (0, 100] for resource cpu, found 101",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: NodeResourcesBalancedAllocation\n    args:\n      resources:\n      - name: cpu\n        weight: 2\n",
      "profiles[0].pluginConfig[0].args.resources[0].weight: expected 1 (must be 1), found 2",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: PodTopologySpread\n    args:\n      defaultConstraints:\n      - maxSkew: 1\n        topologyKey: zone\n        whenUnsatisfiable: ScheduleAnyway\n",
      "profiles[0].pluginConfig[0].args.defaultingType: expected List when .defaultConstraints are not empty",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: PodTopologySpread\n    args:\n      defaultingType: List\n      defaultConstraints:\n      - maxSkew: 0\n        topologyKey: zone\n        whenUnsatisfiable: ScheduleAnyway\n",
      "profiles[0].pluginConfig[0].args.defaultConstraints[0].maxSkew: expected a value in the valid range (0, inf), found 0",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: PrioritySort\n    args: {}\n",
      "profiles[0].pluginConfig[0].name: expected a plugin that takes args",
    ],
    [
      "profiles:\n- pluginConfig:\n  - name: InterPodAffinity\n  - name: InterPodAffinity\n",
      "profiles[0].pluginConfig[1].name",
    ],
    ["profilez: []\n", "profilez: expected a known field"],
    [
      "profiles:\n- plugins:\n    score:\n      enabled:\n      - name: ImageLocality\n        wieght: 3\n",
      "profiles[0].plugins.score.enabled[0].wieght: expected a known field",
    ],
    [
      "profiles:\n- schedulerName: a\n- schedulerName: b\n  plugins:\n    queueSort:\n      enabled:\n      - name: PrioritySort\n",
      "profiles[1].plugins.queueSort: expected the same queueSort plugins as profiles[0]",
    ],
    [
      "kubesim:\n  evaluatorThreads: many\n",
      'kubesim.evaluatorThreads: expected "auto" or an integer from 0 to 64, found "many"',
    ],
    ["kubesim:\n  fusedKernel: simd\n", 'kubesim.fusedKernel: expected "wasm" or "js", found "simd"'],
    [
      "kubesim:\n  costModel:\n    cycle: -1\n",
      "kubesim.costModel.cycle: expected a non-negative number of µs, found -1",
    ],
  ];
  for (const [text, msg] of cases) {
    it(msg, () => {
      expect(errorOf(text)).toContain(msg);
    });
  }

  it("names the file", () => {
    expect(() => parseSchedulerConfig(`${HEAD}parallelism: -3\n`, "sched.yaml")).toThrow(
      "sched.yaml: parallelism: expected an integer value greater than zero, found -3",
    );
  });

  it("rejects a wrong apiVersion", () => {
    expect(() => parseSchedulerConfig("apiVersion: v1beta3\nkind: KubeSchedulerConfiguration\n")).toThrow(
      'apiVersion: expected "kubescheduler.config.k8s.io/v1"',
    );
  });
});
