import { describe, expect, it } from "vitest";
import {
  registryKey,
  registryKeyFor,
  registryListPrefix,
  registryNamespacePrefix,
  storagePrefix,
} from "../../src/api/registry-key.js";
import { isNamespacedKind, lookupKind, lookupResource, RESOURCES, resourceForKind } from "../../src/api/resources.js";
import { samplePod } from "./fixtures.js";

describe("resource table", () => {
  it("lists every modelled kind with group, version, plural and scope", () => {
    expect(RESOURCES.map((r) => r.kind).sort()).toEqual(
      [
        "DaemonSet",
        "Deployment",
        "EndpointSlice",
        "Event",
        "Job",
        "Lease",
        "Namespace",
        "Node",
        "Pod",
        "PriorityClass",
        "ReplicaSet",
        "Service",
      ].sort(),
    );
    expect(resourceForKind("Pod")).toEqual({
      kind: "Pod",
      group: "",
      version: "v1",
      apiVersion: "v1",
      resource: "pods",
      namespaced: true,
    });
    expect(resourceForKind("Deployment").apiVersion).toBe("apps/v1");
    expect(resourceForKind("Lease").apiVersion).toBe("coordination.k8s.io/v1");
    expect(resourceForKind("EndpointSlice")).toMatchObject({
      apiVersion: "discovery.k8s.io/v1",
      resource: "endpointslices",
    });
    expect(resourceForKind("PriorityClass")).toMatchObject({ apiVersion: "scheduling.k8s.io/v1", namespaced: false });
    expect(resourceForKind("Job").apiVersion).toBe("batch/v1");
    expect(isNamespacedKind("Node")).toBe(false);
    expect(isNamespacedKind("Namespace")).toBe(false);
    expect(lookupResource("daemonsets")?.kind).toBe("DaemonSet");
    expect(lookupKind("StatefulSet")).toBeUndefined();
    expect(() => resourceForKind("StatefulSet")).toThrow(/unknown kind/);
  });
});

describe("etcd registry keys (etcd.md §12)", () => {
  it("lays out namespaced and cluster-scoped keys", () => {
    expect(registryKey(samplePod())).toBe(`/registry/pods/default/${samplePod().metadata.name}`);
    expect(registryKey({ kind: "Namespace", metadata: { name: "kube-system" } })).toBe(
      "/registry/namespaces/kube-system",
    );
    expect(registryKey({ kind: "Lease", metadata: { name: "node-1", namespace: "kube-node-lease" } })).toBe(
      "/registry/leases/kube-node-lease/node-1",
    );
    expect(registryKey({ kind: "Deployment", metadata: { name: "web", namespace: "prod" } })).toBe(
      "/registry/deployments/prod/web",
    );
    expect(registryKey({ kind: "PriorityClass", metadata: { name: "high" } })).toBe("/registry/priorityclasses/high");
    expect(registryKey({ kind: "Event", metadata: { name: "p.1", namespace: "d" } })).toBe("/registry/events/d/p.1");
  });

  it("uses the historical prefixes", () => {
    expect(registryKey({ kind: "Node", metadata: { name: "n1" } })).toBe("/registry/minions/n1");
    expect(registryKey({ kind: "Service", metadata: { name: "web", namespace: "d" } })).toBe(
      "/registry/services/specs/d/web",
    );
    expect(registryKeyFor("endpoints", "d", "web")).toBe("/registry/services/endpoints/d/web");
    expect(registryKeyFor("replicationcontrollers", "d", "rc")).toBe("/registry/controllers/d/rc");
    expect(registryKeyFor("ingresses", "d", "ing", "networking.k8s.io")).toBe("/registry/ingress/d/ing");
    expect(storagePrefix("podsecuritypolicies", "policy")).toBe("podsecuritypolicy");
    // the special names belong to their group only
    expect(storagePrefix("ingresses", "example.com")).toBe("ingresses");
  });

  it("gives list prefixes with the trailing slash", () => {
    expect(registryListPrefix("pods")).toBe("/registry/pods/");
    expect(registryListPrefix("nodes")).toBe("/registry/minions/");
    expect(registryListPrefix("services")).toBe("/registry/services/specs/");
    expect(registryNamespacePrefix("pods", "default")).toBe("/registry/pods/default/");
    expect(registryNamespacePrefix("services", "d")).toBe("/registry/services/specs/d/");
    expect(() => registryNamespacePrefix("pods", "")).toThrow();
  });

  it("refuses objects whose namespace does not fit the scope", () => {
    expect(() => registryKey({ kind: "Pod", metadata: { name: "p" } })).toThrow(/needs a namespace/);
    expect(() => registryKey({ kind: "Node", metadata: { name: "n", namespace: "x" } })).toThrow(/cluster-scoped/);
    expect(() => registryKeyFor("pods", "d", "")).toThrow(/needs a name/);
  });
});
