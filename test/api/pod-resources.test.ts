import { describe, expect, it } from "vitest";
import {
  addResourceRecord,
  computePodRequests,
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  isScalarResourceName,
  newResourceRecord,
  podRequests,
  resourceListToRecord,
  subtractResourceRecord,
} from "../../src/api/pod-resources.js";
import type { Container, Pod, ResourceList } from "../../src/api/types/core.js";

const Mi = 1024 * 1024;

function c(name: string, requests?: ResourceList, sidecar = false): Container {
  return {
    name,
    resources: requests === undefined ? undefined : { requests },
    restartPolicy: sidecar ? "Always" : undefined,
  };
}

function pod(containers: Container[], initContainers?: Container[], overhead?: ResourceList): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "d" },
    spec: { containers, initContainers, overhead },
  };
}

describe("effective pod requests (kube-scheduler.md §4.1)", () => {
  it("sums regular containers", () => {
    const r = podRequests(pod([c("a", { cpu: "100m", memory: "200Mi" }), c("b", { cpu: "0.5", memory: "1Gi" })]));
    expect(r.milliCPU).toBe(600);
    expect(r.memory).toBe(1224 * Mi);
    expect(r.ephemeralStorage).toBe(0);
    expect(r.scalar.size).toBe(0);
  });

  it("takes the max of regular and init containers, per resource", () => {
    const r = podRequests(
      pod(
        [c("a", { cpu: "200m", memory: "100Mi" })],
        [c("i1", { cpu: "1", memory: "50Mi" }), c("i2", { memory: "300Mi" })],
      ),
    );
    expect(r.milliCPU).toBe(1000);
    expect(r.memory).toBe(300 * Mi);
  });

  it("accumulates sidecars: they add to regular and raise later init containers' peaks", () => {
    // sidecar s (100m) before init i (500m): regular = 200 + 100, init peak = 500 + 100
    const before = podRequests(
      pod([c("a", { cpu: "100m" }), c("b", { cpu: "100m" })], [c("s", { cpu: "100m" }, true), c("i", { cpu: "500m" })]),
    );
    expect(before.milliCPU).toBe(600);
    // init i before sidecar s: peaks 500 and 100, regular 300
    const after = podRequests(
      pod([c("a", { cpu: "100m" }), c("b", { cpu: "100m" })], [c("i", { cpu: "500m" }), c("s", { cpu: "100m" }, true)]),
    );
    expect(after.milliCPU).toBe(500);
    // a sidecar's peak is the running sum including itself: two sidecars of 1 cpu, no app request
    const two = podRequests(pod([c("a", {})], [c("s1", { cpu: "1" }, true), c("s2", { cpu: "1" }, true)]));
    expect(two.milliCPU).toBe(2000);
    // a resource only the sidecars request still counts in a later init container's peak
    const mixed = podRequests(pod([c("a", { cpu: "100m" })], [c("s", { memory: "1Gi" }, true), c("i", { cpu: "2" })]));
    expect(mixed.milliCPU).toBe(2000);
    expect(mixed.memory).toBe(1024 * Mi);
  });

  it("KEP-753 example: init peak with sidecars vs regular", () => {
    // sidecars 50m + 50m, init 100m after the first sidecar, app containers 100m + 200m.
    const p = pod(
      [c("app1", { cpu: "100m" }), c("app2", { cpu: "200m" })],
      [c("side1", { cpu: "50m" }, true), c("init", { cpu: "100m" }), c("side2", { cpu: "50m" }, true)],
    );
    // regular = 300 + 50 + 50 = 400; init peaks = 50, 150, 100 → 150
    expect(podRequests(p).milliCPU).toBe(400);
  });

  it("adds overhead", () => {
    const r = podRequests(
      pod([c("a", { cpu: "100m", memory: "64Mi" })], [c("i", { cpu: "300m" })], { cpu: "250m", memory: "120Mi" }),
    );
    expect(r.milliCPU).toBe(550);
    expect(r.memory).toBe(184 * Mi);
  });

  it("handles ephemeral storage, pods and scalar resources; ignores unknown native names", () => {
    const r = podRequests(
      pod(
        [
          c("a", { "ephemeral-storage": "1Gi", "nvidia.com/gpu": "1", "hugepages-2Mi": "4Mi", storage: "1Gi" }),
          c("b", { "nvidia.com/gpu": "2" }),
        ],
        [c("i", { "nvidia.com/gpu": "4" })],
      ),
    );
    expect(r.ephemeralStorage).toBe(1024 * Mi);
    expect(r.scalar.get("nvidia.com/gpu")).toBe(4);
    expect(r.scalar.get("hugepages-2Mi")).toBe(4 * Mi);
    expect(r.scalar.has("storage")).toBe(false);
    expect(isScalarResourceName("example.com/foo")).toBe(true);
    expect(isScalarResourceName("attachable-volumes-csi-x")).toBe(true);
    expect(isScalarResourceName("kubernetes.io/batch-cpu")).toBe(true);
    expect(isScalarResourceName("storage")).toBe(false);
    expect(isScalarResourceName("cpu")).toBe(false);
  });

  it("non-zero variant: per-container defaults when the key is absent, explicit 0 stays 0", () => {
    const p = pod([c("none"), c("zeroCpu", { cpu: "0" }), c("mem", { memory: "1Gi" })], [c("i")]);
    const r = podRequests(p, true);
    // none: 100m/200Mi; zeroCpu: 0/200Mi; mem: 100m/1Gi; init: 100m/200Mi
    expect(r.milliCPU).toBe(2 * DEFAULT_MILLI_CPU_REQUEST);
    expect(r.memory).toBe(2 * DEFAULT_MEMORY_REQUEST + 1024 * Mi);
    const plain = podRequests(p);
    expect(plain.milliCPU).toBe(0);
    expect(plain.memory).toBe(1024 * Mi);
    // three request-less containers count as 300m / 600Mi
    expect(podRequests(pod([c("a"), c("b"), c("c")]), true)).toMatchObject({ milliCPU: 300, memory: 600 * Mi });
  });

  it("rounds once after summing, like upstream's exact quantities", () => {
    // two containers of half a byte: upstream sums to 1 byte, not 2
    const r = podRequests(pod([c("a", { memory: "500m" }), c("b", { memory: "500m" })]));
    expect(r.memory).toBe(1);
    const cpu = podRequests(pod([c("a", { cpu: "0.5m" }), c("b", { cpu: "0.5m" })]));
    expect(cpu.milliCPU).toBe(1);
    expect(podRequests(pod([c("a", { cpu: "0.5m", memory: "1" })], undefined, { cpu: "0.2m" })).milliCPU).toBe(1);
  });

  it("writes into a reused record and accepts bare numbers", () => {
    const out = newResourceRecord();
    computePodRequests(pod([c("a", { "example.com/x": "2" })]), out);
    expect(out.scalar.get("example.com/x")).toBe(2);
    const p2 = pod([{ name: "a", resources: { requests: { cpu: 2 as unknown as string } } }]);
    expect(computePodRequests(p2, out)).toBe(out);
    expect(out.milliCPU).toBe(2000);
    expect(out.scalar.size).toBe(0);
    expect(() => podRequests(pod([c("a", { cpu: "two" })]))).toThrow(/cpu: expected a quantity/);
  });

  it("reads node allocatable and does node accounting", () => {
    const alloc = resourceListToRecord(
      { cpu: "3920m", memory: "15Gi", pods: "110", "ephemeral-storage": "100Gi", "nvidia.com/gpu": "8" },
      newResourceRecord(),
    );
    expect(alloc).toMatchObject({ milliCPU: 3920, memory: 15 * 1024 * Mi, pods: 110 });
    expect(alloc.scalar.get("nvidia.com/gpu")).toBe(8);
    const used = newResourceRecord();
    const req = podRequests(pod([c("a", { cpu: "100m", "nvidia.com/gpu": "1" })]));
    addResourceRecord(used, req);
    addResourceRecord(used, req);
    subtractResourceRecord(used, req);
    expect(used.milliCPU).toBe(100);
    expect(used.scalar.get("nvidia.com/gpu")).toBe(1);
  });
});
