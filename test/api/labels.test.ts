import { describe, expect, it } from "vitest";
import {
  compileLabelSelector,
  EVERYTHING,
  labelSelectorMatches,
  NOTHING,
  parseLabelRequirements,
  parseLabelSelector,
  selectorFromSet,
  validateLabelSelector,
} from "../../src/api/labels.js";
import { isQualifiedName, isValidLabelValue } from "../../src/api/validation.js";
import { InputError } from "../../src/engine/errors.js";

const prodFrontend = { environment: "production", tier: "frontend" };
const prodBackend = { environment: "production", tier: "backend" };
const qaCache = { environment: "qa", tier: "cache" };
const devNoTier = { environment: "dev" };
const partitioned = { partition: "customerA", environment: "qa" };
const all = [prodFrontend, prodBackend, qaCache, devNoTier, partitioned, {}];

function select(text: string): object[] {
  const m = parseLabelSelector(text);
  return all.filter((l) => m.matches(l));
}

describe("label selector string syntax ('Labels and Selectors' examples)", () => {
  it("equality-based: environment=production,tier!=frontend", () => {
    expect(select("environment = production")).toEqual([prodFrontend, prodBackend]);
    expect(select("environment=production,tier!=frontend")).toEqual([prodBackend]);
    expect(select("environment==production")).toEqual([prodFrontend, prodBackend]);
    // != also selects objects without the key
    expect(select("tier != frontend")).toEqual([prodBackend, qaCache, devNoTier, partitioned, {}]);
  });

  it("set-based: in, notin, exists, does not exist", () => {
    expect(select("environment in (production, qa)")).toEqual([prodFrontend, prodBackend, qaCache, partitioned]);
    // notin selects other values and objects without the key
    expect(select("tier notin (frontend, backend)")).toEqual([qaCache, devNoTier, partitioned, {}]);
    expect(select("partition")).toEqual([partitioned]);
    expect(select("!partition")).toEqual([prodFrontend, prodBackend, qaCache, devNoTier, {}]);
    expect(select("partition in (customerA, customerB),environment!=qa")).toEqual([]);
    expect(select("partition in (customerA, customerB),environment=qa")).toEqual([partitioned]);
  });

  it("numeric > and < (labels package only)", () => {
    const m = parseLabelSelector("replicas>3");
    expect(m.matches({ replicas: "4" })).toBe(true);
    expect(m.matches({ replicas: "3" })).toBe(false);
    expect(m.matches({ replicas: "abc" })).toBe(false);
    expect(m.matches({})).toBe(false);
    expect(parseLabelSelector("x<2").matches({ x: "-3" })).toBe(true);
    // a requirement value must itself be a valid label value, so negative bounds are refused
    expect(() => parseLabelSelector("x<-2")).toThrow(/values\[0\]\[x\]: Invalid value: "-2"/);
    expect(() => parseLabelSelector("x>abc")).toThrow(/must be an integer/);
  });

  it("parses the edge cases of the upstream grammar", () => {
    expect(parseLabelRequirements("x in (foo,,baz),y,z notin ()")).toEqual([
      { key: "x", operator: "in", values: ["", "baz", "foo"] },
      { key: "y", operator: "exists", values: [] },
      { key: "z", operator: "notin", values: [""] },
    ]);
    expect(parseLabelRequirements("x=")).toEqual([{ key: "x", operator: "=", values: [""] }]);
    expect(parseLabelRequirements("in in (in)")).toEqual([{ key: "in", operator: "in", values: ["in"] }]);
    expect(parseLabelRequirements("")).toEqual([]);
    expect(parseLabelSelector("")).toBe(EVERYTHING);
    expect(parseLabelSelector("a=b,!c,d in (x,y)").toString()).toBe("a=b,!c,d in (x,y)");
  });

  it("rejects malformed selectors with InputError", () => {
    for (const bad of ["x=a,", "x in (a", "x in a", "=a", "x==a==b", "x in (a) y", "x,", "x!", "a b"]) {
      expect(() => parseLabelSelector(bad), bad).toThrow(InputError);
    }
    expect(() => parseLabelSelector("x=a b")).toThrow(/found 'b'/);
    expect(() => parseLabelSelector("Bad_Key-=x")).toThrow(InputError);
    expect(() => parseLabelSelector(`x=${"a".repeat(64)}`)).toThrow(/no more than 63/);
  });

  it("answers RequiresExactMatch", () => {
    expect(parseLabelSelector("app=web,tier in (a)").requiresExactMatch("app")).toBe("web");
    expect(parseLabelSelector("tier in (a)").requiresExactMatch("tier")).toBe("a");
    expect(parseLabelSelector("tier in (a,b)").requiresExactMatch("tier")).toBeUndefined();
    expect(parseLabelSelector("app!=web").requiresExactMatch("app")).toBeUndefined();
  });
});

describe("metav1.LabelSelector", () => {
  it("matches the documentation's matchLabels + matchExpressions example", () => {
    const sel = {
      matchLabels: { component: "redis" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["cache"] },
        { key: "environment", operator: "NotIn", values: ["dev"] },
      ],
    };
    const m = compileLabelSelector(sel);
    expect(m.matches({ component: "redis", tier: "cache", environment: "qa" })).toBe(true);
    expect(m.matches({ component: "redis", tier: "cache" })).toBe(true);
    expect(m.matches({ component: "redis", tier: "cache", environment: "dev" })).toBe(false);
    expect(m.matches({ tier: "cache" })).toBe(false);
    expect(labelSelectorMatches(sel, { component: "redis", tier: "cache" })).toBe(true);
  });

  it("null matches nothing, empty matches everything", () => {
    expect(compileLabelSelector(null)).toBe(NOTHING);
    expect(compileLabelSelector(undefined).matches({})).toBe(false);
    expect(compileLabelSelector({})).toBe(EVERYTHING);
    expect(compileLabelSelector({ matchLabels: {}, matchExpressions: [] }).matches({ a: "b" })).toBe(true);
    expect(compileLabelSelector({}).matches(undefined)).toBe(true);
  });

  it("rejects Gt/Lt and unknown operators, and invalid requirements", () => {
    expect(() => compileLabelSelector({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] })).toThrow(
      /"Gt" is not a valid label selector operator/,
    );
    expect(() => compileLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toThrow(
      /values set can't be empty/,
    );
    expect(() => compileLabelSelector({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] })).toThrow(
      /must be empty/,
    );
    expect(
      validateLabelSelector({ matchExpressions: [{ key: "a", operator: "Lt", values: ["1"] }] }, "spec.selector").map(
        String,
      ),
    ).toEqual([
      'spec.selector.matchExpressions[0].operator: Unsupported value: "Lt": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
    ]);
  });

  it("is not fooled by Object.prototype members", () => {
    expect(parseLabelSelector("constructor").matches({})).toBe(false);
    expect(parseLabelSelector("!toString").matches({})).toBe(true);
  });

  it("selectorFromSet matches supersets", () => {
    const m = selectorFromSet({ app: "web" });
    expect(m.matches({ app: "web", x: "y" })).toBe(true);
    expect(m.matches({ app: "db" })).toBe(false);
    expect(selectorFromSet({}).matches({})).toBe(true);
  });
});

describe("label key and value validation", () => {
  it("accepts qualified names and label values", () => {
    expect(isQualifiedName("app")).toEqual([]);
    expect(isQualifiedName("kubernetes.io/hostname")).toEqual([]);
    expect(isQualifiedName("topology.kubernetes.io/zone")).toEqual([]);
    expect(isQualifiedName("a".repeat(63))).toEqual([]);
    expect(isValidLabelValue("")).toEqual([]);
    expect(isValidLabelValue("my_value-1.2")).toEqual([]);
  });

  it("rejects bad keys and values with upstream's messages", () => {
    expect(isQualifiedName("a".repeat(64))).toEqual(["name part must be no more than 63 characters"]);
    expect(isQualifiedName("/a")).toEqual(["prefix part must be non-empty"]);
    expect(isQualifiedName("a/b/c")[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName("Example.com/a")[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName("-a")).toEqual([
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    expect(isValidLabelValue("a b")).toHaveLength(1);
    expect(isValidLabelValue("a".repeat(64))).toContain("must be no more than 63 characters");
  });
});
