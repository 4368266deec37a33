import { describe, expect, it } from "vitest";
import {
  compileNodeSelector,
  compilePreferredSchedulingTerms,
  nodeSelectorRequirementMatches,
  nodeSelectorTermMatches,
  podMatchesNodeSelectorAndAffinityTerms,
  preferredSchedulingScore,
  requiredNodeAffinity,
  requiredNodeNames,
} from "../../src/api/node-affinity.js";
import type { Node, NodeSelectorTerm, Pod } from "../../src/api/types/core.js";

function node(name: string, labels: Record<string, string>): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels } };
}

function podWith(spec: Partial<Pod["spec"]>): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [{ name: "c" }], ...spec },
  };
}

const n1 = node("n1", { zone: "a", cores: "8", "kubernetes.io/hostname": "n1" });
const n2 = node("n2", { zone: "b", cores: "abc" });

describe("node selector requirements", () => {
  const labels = n1.metadata.labels;
  const cases: [string, string, string[] | undefined, boolean][] = [
    ["zone", "In", ["a", "c"], true],
    ["zone", "In", ["b"], false],
    ["missing", "In", ["a"], false],
    ["zone", "NotIn", ["b"], true],
    ["zone", "NotIn", ["a"], false],
    ["missing", "NotIn", ["a"], true], // NotIn is true when the label is absent
    ["zone", "Exists", undefined, true],
    ["missing", "Exists", undefined, false],
    ["missing", "DoesNotExist", undefined, true],
    ["zone", "DoesNotExist", undefined, false],
    ["cores", "Gt", ["4"], true],
    ["cores", "Gt", ["8"], false],
    ["cores", "Lt", ["10"], true],
    ["missing", "Gt", ["1"], false],
    ["cores", "Gt", ["four"], false], // value does not parse: requirement invalid → false
    ["cores", "Gt", ["1", "2"], false], // Gt needs exactly one value
    ["zone", "In", [], false], // In needs values
    ["zone", "Exists", ["a"], false], // Exists takes none
    ["zone", "Matches", ["a"], false], // unknown operator
  ];
  for (const [key, operator, values, want] of cases) {
    it(`${key} ${operator} ${JSON.stringify(values ?? [])} → ${want}`, () => {
      expect(nodeSelectorRequirementMatches({ key, operator, values }, labels)).toBe(want);
    });
  }

  it("Gt/Lt are false when the node label is not an integer", () => {
    expect(nodeSelectorRequirementMatches({ key: "cores", operator: "Gt", values: ["1"] }, n2.metadata.labels)).toBe(
      false,
    );
    expect(nodeSelectorRequirementMatches({ key: "cores", operator: "Lt", values: ["1"] }, n2.metadata.labels)).toBe(
      false,
    );
  });
});

describe("node selector terms", () => {
  it("an empty term or an empty list matches nothing", () => {
    expect(nodeSelectorTermMatches({}, n1)).toBe(false);
    expect(nodeSelectorTermMatches({ matchExpressions: [], matchFields: [] }, n1)).toBe(false);
    expect(compileNodeSelector({ nodeSelectorTerms: [] }).matches(n1)).toBe(false);
    expect(compileNodeSelector({ nodeSelectorTerms: [{}] }).matches(n1)).toBe(false);
  });

  it("ANDs expressions within a term and ORs terms", () => {
    const zoneA: NodeSelectorTerm = { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] };
    const bigAndB: NodeSelectorTerm = {
      matchExpressions: [
        { key: "zone", operator: "In", values: ["b"] },
        { key: "cores", operator: "Exists" },
      ],
    };
    const sel = compileNodeSelector({ nodeSelectorTerms: [zoneA, bigAndB] });
    expect(sel.matches(n1)).toBe(true);
    expect(sel.matches(n2)).toBe(true);
    expect(sel.matches(node("n3", { zone: "b" }))).toBe(false);
  });

  it("a term with an invalid requirement matches nothing but the other terms still count", () => {
    const bad: NodeSelectorTerm = { matchExpressions: [{ key: "zone", operator: "Gt", values: ["x"] }] };
    const good: NodeSelectorTerm = { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] };
    const sel = compileNodeSelector({ nodeSelectorTerms: [bad, good] });
    expect(sel.errors.length).toBe(1);
    expect(sel.errors[0]).toMatch(/must be an integer/);
    expect(sel.matches(n1)).toBe(false);
    expect(sel.matches(n2)).toBe(true);
  });

  it("matchFields supports metadata.name with In/NotIn and one value", () => {
    const term = (operator: string, values: string[]): NodeSelectorTerm => ({
      matchFields: [{ key: "metadata.name", operator, values }],
    });
    expect(nodeSelectorTermMatches(term("In", ["n1"]), n1)).toBe(true);
    expect(nodeSelectorTermMatches(term("In", ["n1"]), n2)).toBe(false);
    expect(nodeSelectorTermMatches(term("NotIn", ["n1"]), n2)).toBe(true);
    expect(nodeSelectorTermMatches(term("In", ["n1", "n2"]), n1)).toBe(false); // must have one element
    expect(nodeSelectorTermMatches(term("Exists", []), n1)).toBe(false);
    // expressions and fields are ANDed
    const both: NodeSelectorTerm = {
      matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }],
      matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }],
    };
    expect(nodeSelectorTermMatches(both, n1)).toBe(false);
  });
});

describe("pod placement", () => {
  it("requires nodeSelector AND required node affinity", () => {
    const p = podWith({
      nodeSelector: { zone: "a" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "cores", operator: "Gt", values: ["4"] }] }],
          },
        },
      },
    });
    expect(podMatchesNodeSelectorAndAffinityTerms(p, n1)).toBe(true);
    expect(podMatchesNodeSelectorAndAffinityTerms(p, node("n4", { zone: "a", cores: "2" }))).toBe(false);
    expect(podMatchesNodeSelectorAndAffinityTerms(p, n2)).toBe(false);
    expect(requiredNodeAffinity(p)).toBe(requiredNodeAffinity(p));
    const free = podWith({});
    expect(requiredNodeAffinity(free).empty).toBe(true);
    expect(podMatchesNodeSelectorAndAffinityTerms(free, n2)).toBe(true);
    const emptyTerms = podWith({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
    });
    expect(podMatchesNodeSelectorAndAffinityTerms(emptyTerms, n1)).toBe(false);
  });

  it("sums the weights of matching preferred terms, skipping weight 0 and empty preferences", () => {
    const terms = [
      { weight: 10, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
      { weight: 5, preference: { matchExpressions: [{ key: "cores", operator: "Exists" }] } },
      { weight: 0, preference: { matchExpressions: [{ key: "zone", operator: "Exists" }] } },
      { weight: 50, preference: {} },
    ];
    const compiled = compilePreferredSchedulingTerms(terms);
    expect(compiled.score(n1)).toBe(15);
    expect(compiled.score(n2)).toBe(5);
    expect(compiled.errors).toEqual([]);
    const p = podWith({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } });
    expect(preferredSchedulingScore(p, n1)).toBe(15);
    expect(compilePreferredSchedulingTerms(undefined).empty).toBe(true);
  });

  it("derives the node names a pod is pinned to", () => {
    const pinned = (terms: NodeSelectorTerm[]) =>
      podWith({
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
      });
    const byName = (...names: string[]): NodeSelectorTerm => ({
      matchFields: [{ key: "metadata.name", operator: "In", values: names }],
    });
    expect(requiredNodeNames(pinned([byName("b", "a"), byName("c")]))).toEqual(["a", "b", "c"]);
    expect(
      requiredNodeNames(pinned([byName("a"), { matchExpressions: [{ key: "x", operator: "Exists" }] }])),
    ).toBeUndefined();
    expect(
      requiredNodeNames(
        pinned([{ matchFields: [...(byName("a").matchFields ?? []), ...(byName("b").matchFields ?? [])] }]),
      ),
    ).toEqual([]);
    expect(requiredNodeNames(podWith({}))).toBeUndefined();
  });
});
