import { describe, expect, it } from "vitest";
import {
  addDefaultTolerations,
  applyPriorityClass,
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultNamespace,
  defaultNode,
  defaultObject,
  defaultPod,
  defaultReplicaSet,
  defaultService,
} from "../../src/api/defaults.js";
import { podRequests } from "../../src/api/pod-resources.js";
import type { DaemonSet, Deployment, Job, Pod } from "../../src/api/types/index.js";

function bare(): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "d" },
    spec: {
      containers: [
        {
          name: "c",
          image: "nginx",
          resources: { limits: { cpu: "500m", memory: "1Gi" }, requests: { cpu: "0.1m" } },
          ports: [{ containerPort: 80 }],
        },
      ],
    },
  };
}

describe("defaultPod", () => {
  it("applies the scheduling and lifecycle defaults", () => {
    const p = defaultPod(bare());
    expect(p.spec).toMatchObject({
      schedulerName: "default-scheduler",
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
    });
    const c = p.spec.containers[0];
    expect(c?.imagePullPolicy).toBe("Always"); // no tag means :latest
    expect(c?.terminationMessagePath).toBe("/dev/termination-log");
    expect(c?.terminationMessagePolicy).toBe("File");
    expect(c?.ports?.[0]?.protocol).toBe("TCP");
    // requests default to limits where missing; values are rounded up to milli precision
    expect(c?.resources?.requests).toEqual({ cpu: "1m", memory: "1Gi" });
    expect(podRequests(p)).toMatchObject({ milliCPU: 1, memory: 1024 ** 3 });
  });

  it("keeps what is set and defaults host-network ports", () => {
    const p = bare();
    p.spec.schedulerName = "my-scheduler";
    p.spec.hostNetwork = true;
    p.spec.priorityClassName = "high";
    (p.spec.containers[0] as { image: string }).image = "nginx:1.25";
    defaultPod(p);
    expect(p.spec.schedulerName).toBe("my-scheduler");
    expect(p.spec.containers[0]?.ports?.[0]?.hostPort).toBe(80);
    expect(p.spec.containers[0]?.imagePullPolicy).toBe("IfNotPresent");
    expect(p.spec.priority).toBeUndefined(); // left for applyPriorityClass
    applyPriorityClass(p, {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "high" },
      value: 1000,
      preemptionPolicy: "Never",
    });
    expect(p.spec).toMatchObject({ priority: 1000, preemptionPolicy: "Never" });
  });

  it("adds the default not-ready/unreachable tolerations once", () => {
    const p = addDefaultTolerations(addDefaultTolerations(bare()));
    expect(p.spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    const tolerant = bare();
    tolerant.spec.tolerations = [{ operator: "Exists" }];
    expect(addDefaultTolerations(tolerant).spec.tolerations).toHaveLength(1);
  });
});

describe("workload defaults (pkg/apis/apps/v1/defaults.go, batch/v1)", () => {
  const template = { metadata: { labels: { app: "w" } }, spec: { containers: [{ name: "c", image: "x:1" }] } };

  it("Deployment: replicas 1, 25%/25%, history 10, deadline 600", () => {
    const d: Deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "w", namespace: "d" },
      spec: { selector: { matchLabels: { app: "w" } }, template: structuredClone(template) },
    };
    defaultObject(d);
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec.template.spec.schedulerName).toBe("default-scheduler");
    const recreate = defaultDeployment({ ...d, spec: { ...d.spec, strategy: { type: "Recreate" } } });
    expect(recreate.spec.strategy).toEqual({ type: "Recreate" });
  });

  it("ReplicaSet, DaemonSet and Job", () => {
    const rs = defaultReplicaSet({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "r" },
      spec: { selector: {}, template: structuredClone(template) },
    });
    expect(rs.spec.replicas).toBe(1);
    const ds: DaemonSet = defaultDaemonSet({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "ds" },
      spec: { selector: {}, template: structuredClone(template) },
    });
    expect(ds.spec.updateStrategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    const job: Job = defaultJob({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j" },
      spec: { template: structuredClone(template) },
    });
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
    });
    expect(job.metadata.labels).toEqual({ app: "w" });
    const parallel = defaultJob({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j" },
      spec: { parallelism: 5, template: structuredClone(template) },
    });
    expect(parallel.spec.completions).toBeUndefined();
  });

  it("Namespace, Node and Service", () => {
    const ns = defaultNamespace({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    expect(ns.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "team-a" });
    expect(ns.status?.phase).toBe("Active");
    const node = defaultNode({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n" },
      status: { capacity: { cpu: "4", pods: "110" } },
    });
    expect(node.status?.allocatable).toEqual({ cpu: "4", pods: "110" });
    const svc = defaultService({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s", namespace: "d" },
      spec: { ports: [{ port: 80 }] },
    });
    expect(svc.spec).toMatchObject({
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
    });
  });
});
