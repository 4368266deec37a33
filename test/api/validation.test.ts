import { describe, expect, it } from "vitest";
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  nameIsDNSSubdomain,
  validateObject,
  validateObjectMeta,
} from "../../src/api/validation.js";
import { samplePod } from "./fixtures.js";

describe("name validation", () => {
  it("prints field.Error exactly as Kubernetes does", () => {
    const errs = validateObjectMeta({ name: "Foo_1", namespace: "default" }, true, nameIsDNSSubdomain);
    expect(errs.map(String)).toEqual([
      `metadata.name: Invalid value: "Foo_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
  });

  it("checks DNS labels, subdomains and DNS-1035 labels", () => {
    expect(isDNS1123Subdomain("web-1.example")).toEqual([]);
    expect(isDNS1123Subdomain("a".repeat(254))).toContain("must be no more than 253 characters");
    expect(isDNS1123Label("web.1")).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1123Label("1abc")).toEqual([]);
    expect(isDNS1035Label("1abc")).toHaveLength(1);
    expect(isDNS1035Label("abc-1")).toEqual([]);
  });

  it("validates ObjectMeta per scope and kind", () => {
    expect(validateObject(samplePod())).toEqual([]);
    expect(
      validateObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team.a" } }).map(String)[0],
    ).toMatch(/^metadata\.name: Invalid value: "team\.a": a lowercase RFC 1123 label/);
    expect(
      validateObject({ apiVersion: "v1", kind: "Service", metadata: { name: "1web", namespace: "d" } }).map(String)[0],
    ).toMatch(/DNS-1035 label/);
    expect(
      validateObject({ apiVersion: "v1", kind: "Node", metadata: { name: "n", namespace: "x" } }).map(String),
    ).toEqual(["metadata.namespace: Forbidden: not allowed on this type"]);
    expect(
      validateObject({ apiVersion: "v1", kind: "Pod", metadata: {}, spec: { containers: [] } }).map(String),
    ).toEqual([
      "metadata.name: Required value: name or generateName is required",
      "metadata.namespace: Required value",
      "spec.containers: Required value",
    ]);
    // generateName may end with "-"
    expect(validateObjectMeta({ generateName: "web-", namespace: "d" }, true, nameIsDNSSubdomain)).toEqual([]);
    expect(
      validateObjectMeta(
        { name: "p", namespace: "d", labels: { "bad key!": "v", ok: "bad value!" } },
        true,
        nameIsDNSSubdomain,
      ).map((e) => e.field),
    ).toEqual(["metadata.labels", "metadata.labels[ok]"]);
  });
});
