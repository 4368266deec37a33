import { describe, expect, it } from "vitest";
import {
  escapeFieldValue,
  fieldValue,
  parseFieldSelector,
  requiredFieldValue,
  selectableFields,
} from "../../src/api/field-selector.js";
import type { Event, Node, Pod } from "../../src/api/types/index.js";
import { InputError } from "../../src/engine/errors.js";

function pod(name: string, nodeName: string | undefined, phase: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c" }], nodeName, schedulerName: "default-scheduler", restartPolicy: "Always" },
    status: { phase, podIPs: [{ ip: "10.0.0.7" }] },
  };
}

describe("field selector parsing", () => {
  it("parses =, == and != terms", () => {
    const m = parseFieldSelector("a=b,c!=d,e==f");
    expect(m.requirements).toEqual([
      { field: "a", operator: "=", value: "b" },
      { field: "c", operator: "!=", value: "d" },
      { field: "e", operator: "=", value: "f" },
    ]);
    expect(m.toString()).toBe("a=b,c!=d,e=f");
    expect(parseFieldSelector("").empty).toBe(true);
    expect(parseFieldSelector("a=").requirements).toEqual([{ field: "a", operator: "=", value: "" }]);
  });

  it("handles escapes in values", () => {
    expect(parseFieldSelector("a=x\\,y\\=z\\\\").requirements[0]?.value).toBe("x,y=z\\");
    expect(escapeFieldValue("x,y=z\\")).toBe("x\\,y\\=z\\\\");
    expect(() => parseFieldSelector("a=b=c")).toThrow(/unescaped character in value: =/);
    expect(() => parseFieldSelector("a=b\\q")).toThrow(/invalid escape sequence/);
    expect(() => parseFieldSelector("a")).toThrow(InputError);
  });

  it("refuses fields the kind does not support, as kube-apiserver does", () => {
    expect(() => parseFieldSelector("spec.nodeName=n1", "Pod")).not.toThrow();
    expect(() => parseFieldSelector("spec.foo=x", "Pod")).toThrow(/field label not supported: spec\.foo/);
    expect(() => parseFieldSelector("metadata.namespace=x", "Node")).toThrow(/not supported/);
    expect(selectableFields("Node")).toEqual(["metadata.name", "spec.unschedulable"]);
    expect(selectableFields("Pod")).toContain("status.nominatedNodeName");
  });
});

describe("field selector matching", () => {
  it("matches pods on the fields upstream supports", () => {
    const bound = pod("p1", "node-7", "Running");
    const pending = pod("p2", undefined, "Pending");
    const onNode = parseFieldSelector("spec.nodeName=node-7");
    expect(onNode.matches(bound)).toBe(true);
    expect(onNode.matches(pending)).toBe(false);
    const unscheduled = parseFieldSelector("spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed");
    expect(unscheduled.matches(pending)).toBe(true);
    expect(unscheduled.matches(bound)).toBe(false);
    expect(parseFieldSelector("status.podIP=10.0.0.7").matches(bound)).toBe(true);
    expect(parseFieldSelector("metadata.namespace=default,metadata.name=p1").matches(bound)).toBe(true);
    expect(fieldValue(bound, "spec.hostNetwork")).toBe("false");
    expect(fieldValue(bound, "spec.nope")).toBeUndefined();
  });

  it("matches nodes and events", () => {
    const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { unschedulable: true } };
    expect(parseFieldSelector("spec.unschedulable=true").matches(node)).toBe(true);
    expect(parseFieldSelector("spec.unschedulable=false").matches(node)).toBe(false);
    const ev: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e", namespace: "default" },
      involvedObject: { kind: "Pod", name: "p1", namespace: "default", uid: "u1" },
      reason: "Scheduled",
      type: "Normal",
      reportingComponent: "default-scheduler",
    };
    expect(parseFieldSelector("involvedObject.kind=Pod,involvedObject.name=p1,type=Normal").matches(ev)).toBe(true);
    // source falls back to the reporting controller
    expect(parseFieldSelector("source=default-scheduler,reason=Scheduled").matches(ev)).toBe(true);
  });

  it("extracts the value a selector requires (watch-cache indexing)", () => {
    expect(requiredFieldValue("spec.nodeName=node-7", "spec.nodeName")).toBe("node-7");
    expect(requiredFieldValue("spec.nodeName==node-7", "spec.nodeName")).toBe("node-7");
    expect(requiredFieldValue("metadata.namespace=x,spec.nodeName=node-7", "spec.nodeName")).toBe("node-7");
    expect(requiredFieldValue("spec.nodeName!=node-7", "spec.nodeName")).toBeUndefined();
    expect(requiredFieldValue("status.phase=Running", "spec.nodeName")).toBeUndefined();
    expect(requiredFieldValue("", "spec.nodeName")).toBeUndefined();
    expect(requiredFieldValue("spec.nodeName=", "spec.nodeName")).toBe("");
  });
});
