import { describe, expect, it } from "vitest";
import { ApfFlowControl } from "../../../src/apiserver/flowcontrol/apf.js";
import { defaultApfConfig, suggestedPriorityLevels } from "../../../src/apiserver/flowcontrol/bootstrap.js";
import { resolveApfConfig } from "../../../src/apiserver/flowcontrol/config.js";
import type { PriorityLevelConfiguration } from "../../../src/apiserver/flowcontrol/types.js";
import { InputError } from "../../../src/engine/errors.js";
import { Simulation } from "../../../src/engine/simulation.js";

describe("APF default configuration", () => {
  it("has NominalCL = ceil(600 x NCS / 245) per level (k8s-timing.md §1.5)", () => {
    const apf = new ApfFlowControl(new Simulation());
    const nominal = Object.fromEntries(apf.stats().levels.map((l) => [l.name, l.nominalCL]));
    expect(nominal).toEqual({
      exempt: 0,
      "catch-all": 13,
      system: 74,
      "node-high": 98,
      "leader-election": 25,
      "workload-high": 98,
      "workload-low": 245,
      "global-default": 49,
    });
    expect(apf.serverConcurrencyLimit).toBe(600);
  });

  it("derives the borrowing bounds from lendable % (round) and an unlimited borrowing limit", () => {
    const apf = new ApfFlowControl(new Simulation());
    const b = (n: string) => {
      const l = apf.level(n);
      return [l?.minCL, l?.maxCL];
    };
    // minCL = nominal - round(nominal x lendable%); maxCL = nominal + serverCL.
    expect(b("system")).toEqual([74 - 24, 74 + 600]);
    expect(b("node-high")).toEqual([98 - 25, 98 + 600]);
    expect(b("leader-election")).toEqual([25, 625]);
    expect(b("workload-high")).toEqual([49, 698]);
    expect(b("workload-low")).toEqual([245 - 221, 845]);
    expect(b("global-default")).toEqual([49 - 25, 649]);
    expect(b("catch-all")).toEqual([13, 613]);
  });

  it("caps work-estimate seats per level at max(1, min(ceil(0.15 x nominal), nominal / handSize))", () => {
    const apf = new ApfFlowControl(new Simulation());
    expect(apf.level("system")?.maxSeats).toBe(12);
    expect(apf.level("leader-election")?.maxSeats).toBe(4); // 25 / 4 queues per hand
    expect(apf.level("workload-low")?.maxSeats).toBe(37);
    expect(apf.level("catch-all")?.maxSeats).toBe(0); // no queuing: the estimator's own cap applies
  });

  it("sums the two inflight flags into the server concurrency limit", () => {
    const apf = new ApfFlowControl(new Simulation(), { maxRequestsInflight: 800, maxMutatingRequestsInflight: 400 });
    expect(apf.serverConcurrencyLimit).toBe(1200);
    expect(apf.level("workload-low")?.nominalCL).toBe(490); // ceil(1200 x 100 / 245)
  });

  it("sorts flow schemas by matching precedence, ties by name", () => {
    const names = resolveApfConfig(undefined).flowSchemas.map((f) => `${f.matchingPrecedence}:${f.name}`);
    expect(names).toEqual([
      "1:exempt",
      "2:probes",
      "100:system-leader-election",
      "150:endpoint-controller",
      "200:workload-leader-election",
      "400:system-node-high",
      "500:system-nodes",
      "800:kube-controller-manager",
      "800:kube-scheduler",
      "900:kube-system-service-accounts",
      "9000:service-accounts",
      "9900:global-default",
      "10000:catch-all",
    ]);
  });
});

describe("APF configuration overrides", () => {
  it("replaces the suggested levels and adds the mandatory ones", () => {
    const cfg = resolveApfConfig({
      priorityLevels: [
        {
          metadata: { name: "only" },
          spec: {
            type: "Limited",
            limited: { nominalConcurrencyShares: 10, limitResponse: { type: "Queue", queuing: {} } },
          },
        },
      ],
      flowSchemas: [
        {
          metadata: { name: "all" },
          spec: {
            priorityLevelConfiguration: { name: "only" },
            rules: [
              {
                subjects: [{ kind: "Group", group: { name: "system:authenticated" } }],
                resourceRules: [
                  { verbs: ["*"], apiGroups: ["*"], resources: ["*"], clusterScope: true, namespaces: ["*"] },
                ],
              },
            ],
          },
        },
      ],
    });
    expect(cfg.levels.map((l) => l.name)).toEqual(["only", "exempt", "catch-all"]);
    // v1 defaults: 64 queues, hand of 8, 50 per queue; matching precedence 1000.
    expect(cfg.levels[0]?.queuing).toEqual({ queues: 64, handSize: 8, queueLengthLimit: 50 });
    expect(cfg.flowSchemas.map((f) => f.name)).toEqual(["exempt", "all", "catch-all"]);
    expect(cfg.flowSchemas[1]?.matchingPrecedence).toBe(1000);
  });

  it("gives NominalCL from the custom shares (mandatory shares included)", () => {
    const pl: PriorityLevelConfiguration = {
      metadata: { name: "big" },
      spec: { type: "Limited", limited: { nominalConcurrencyShares: 95, limitResponse: { type: "Reject" } } },
    };
    const apf = new ApfFlowControl(new Simulation(), { config: { priorityLevels: [pl] } });
    expect(apf.level("big")?.nominalCL).toBe(570); // ceil(600 x 95 / 100)
    expect(apf.level("catch-all")?.nominalCL).toBe(30);
  });

  const level = (spec: unknown) => ({ priorityLevels: [{ metadata: { name: "x" }, spec }] });
  const cases: [string, unknown, string][] = [
    [
      "queues in the wrong place",
      level({ type: "Limited", limited: { limitResponse: { type: "Queue", queues: 1, queuing: {} } } }),
      "priorityLevels[0].spec.limited.limitResponse.queues",
    ],
    [
      "handSize > queues",
      level({ type: "Limited", limited: { limitResponse: { type: "Queue", queuing: { queues: 4, handSize: 5 } } } }),
      "priorityLevels[0].spec.limited.limitResponse.queuing.handSize",
    ],
    [
      "too much entropy",
      level({ type: "Limited", limited: { limitResponse: { type: "Queue", queuing: { queues: 1024, handSize: 7 } } } }),
      "priorityLevels[0].spec.limited.limitResponse.queuing.handSize",
    ],
    [
      "lendablePercent over 100",
      level({ type: "Limited", limited: { lendablePercent: 101, limitResponse: { type: "Reject" } } }),
      "priorityLevels[0].spec.limited.lendablePercent",
    ],
    [
      "Reject with queuing",
      level({ type: "Limited", limited: { limitResponse: { type: "Reject", queuing: { queues: 2 } } } }),
      "priorityLevels[0].spec.limited.limitResponse.queuing",
    ],
    ["Exempt type on another name", level({ type: "Exempt" }), "priorityLevels[0].spec.type"],
    [
      "unknown flow schema level",
      { flowSchemas: [{ metadata: { name: "f" }, spec: { priorityLevelConfiguration: { name: "nope" } } }] },
      "flowSchemas[0].spec.priorityLevelConfiguration.name",
    ],
    [
      "precedence out of range",
      {
        flowSchemas: [
          { metadata: { name: "f" }, spec: { priorityLevelConfiguration: { name: "system" }, matchingPrecedence: 0 } },
        ],
      },
      "flowSchemas[0].spec.matchingPrecedence",
    ],
    [
      "namespaced rule without namespaces",
      {
        flowSchemas: [
          {
            metadata: { name: "f" },
            spec: {
              priorityLevelConfiguration: { name: "system" },
              rules: [
                {
                  subjects: [{ kind: "User", user: { name: "u" } }],
                  resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
                },
              ],
            },
          },
        ],
      },
      "flowSchemas[0].spec.rules[0].resourceRules[0].namespaces",
    ],
    [
      "wildcard mixed with names",
      {
        flowSchemas: [
          {
            metadata: { name: "f" },
            spec: {
              priorityLevelConfiguration: { name: "system" },
              rules: [
                {
                  subjects: [{ kind: "User", user: { name: "u" } }],
                  nonResourceRules: [{ verbs: ["get", "*"], nonResourceURLs: ["/healthz"] }],
                },
              ],
            },
          },
        ],
      },
      "flowSchemas[0].spec.rules[0].nonResourceRules[0].verbs",
    ],
    [
      "subject without its field",
      {
        flowSchemas: [
          {
            metadata: { name: "f" },
            spec: {
              priorityLevelConfiguration: { name: "system" },
              rules: [
                {
                  subjects: [{ kind: "ServiceAccount" }],
                  nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
                },
              ],
            },
          },
        ],
      },
      "flowSchemas[0].spec.rules[0].subjects[0].serviceAccount",
    ],
    [
      "typo in a field name",
      {
        flowSchemas: [{ metadata: { name: "f" }, spec: { priorityLevelConfiguration: { name: "system" }, rulez: [] } }],
      },
      "flowSchemas[0].spec.rulez",
    ],
    [
      "duplicate level",
      { priorityLevels: [...suggestedPriorityLevels(), suggestedPriorityLevels()[0]] },
      "priorityLevels[6].metadata.name",
    ],
  ];
  for (const [what, input, path] of cases) {
    it(`rejects ${what} with an InputError naming ${path}`, () => {
      let err: unknown;
      try {
        resolveApfConfig(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    });
  }

  it("prefixes error paths with the configured path", () => {
    expect(
      () =>
        new ApfFlowControl(new Simulation(), {
          configPath: "spec.apiserver.flowControl",
          config: { priorityLevels: [{ metadata: { name: "Bad Name" }, spec: { type: "Limited" } }] },
        }),
    ).toThrow(/^spec\.apiserver\.flowControl\.priorityLevels\[0\]\.metadata\.name: expected/);
  });

  it("accepts its own default configuration as an explicit override", () => {
    const a = resolveApfConfig(undefined);
    const b = resolveApfConfig(defaultApfConfig());
    expect(b).toEqual(a);
  });
});
