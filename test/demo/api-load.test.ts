import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/cli/run-scenario.js";
import { loadScenarioFile, parseScenario } from "../../src/scenario/load.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-apiload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: api-small}
spec:
  seed: 2
  duration: 60s
  controlPlane:
    etcd: {members: 3}
    apiservers: 2
    apiserver: {cpus: 4, flowControl: apf}
  apiLoad:
    nodes: 50
    pods: {count: 200, createRate: 10, lifetime: 20s}
    listers:
      - {resource: pods, every: 10s}
`;

describe("API load scenario", () => {
  it("drives cluster-shaped traffic through the control plane, deterministically", () => {
    runScenario(parseScenario(SMALL), join(dir, "a"));
    runScenario(parseScenario(SMALL), join(dir, "b"));
    for (const f of ["api_latency.csv", "summary.json"]) {
      expect(readFileSync(join(dir, "a", f), "utf8")).toBe(readFileSync(join(dir, "b", f), "utf8"));
    }
    const s = JSON.parse(readFileSync(join(dir, "a", "summary.json"), "utf8"));
    expect(s.model).toMatchObject({
      podsCreated: 200,
      podsRunning: 200,
      podsDeleted: 200,
      nodes: 50,
      scheduler: "kube-scheduler",
    });
    // The kube-scheduler model placed every pod through pods/binding calls.
    expect(s.model.schedulerStats).toMatchObject({ scheduled: 200, bindings: 200, bindFailures: 0 });
    const calls = s.apiCalls as {
      verb: string;
      resource: string;
      subresource: string;
      scope: string;
      count: number;
      sloMet: boolean;
    }[];
    const kinds = calls.map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ""} ${c.scope}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "create pods resource",
        "create pods/binding resource",
        "update leases resource",
        "patch pods/status resource",
        "delete pods resource",
        "list pods cluster",
      ]),
    );
    expect(calls.every((c) => c.sloMet)).toBe(true);
    // Every lease renewal of 50 nodes for ~55 s at one per 10 s.
    expect(calls.find((c) => c.verb === "update" && c.resource === "leases")?.count).toBeGreaterThanOrEqual(250);
    expect(s.watchLatency_us.pods.count).toBeGreaterThan(400);
    const header = readFileSync(join(dir, "a", "api_latency.csv"), "utf8").split("\n")[0];
    expect(header).toBe(
      "time_s,verb,resource,subresource,scope,requests,errors,rejected_429,sli_p50_us,sli_p99_us,queue_wait_p99_us",
    );
  });

  it("can bind with a round-robin stand-in instead of the scheduler", () => {
    runScenario(parseScenario(SMALL.replace("nodes: 50", "nodes: 50\n    scheduler: round-robin")), join(dir, "rr"));
    const s = JSON.parse(readFileSync(join(dir, "rr", "summary.json"), "utf8"));
    expect(s.model).toMatchObject({ podsRunning: 200, scheduler: "round-robin" });
    expect(s.model.schedulerStats).toBeUndefined();
  });

  it("loads the bundled scenario and rejects bad control-plane settings", () => {
    expect(loadScenarioFile("scenarios/api-load.yaml").controlPlane?.flowControl).toBe("apf");
    expect(() => parseScenario(SMALL.replace("flowControl: apf", "flowControl: fifo"))).toThrow(
      /spec\.controlPlane\.apiserver\.flowControl: expected one of apf, max-inflight, none/,
    );
    expect(() => parseScenario(SMALL.replace("resource: pods", "resource: widgets"))).toThrow(
      /listers\[0\]\.resource: expected a modelled resource/,
    );
    expect(() => parseScenario(SMALL.replace(/ {2}controlPlane:[\s\S]*?flowControl: apf}\n/, ""))).toThrow(
      /spec\.controlPlane: expected a control plane/,
    );
  });
});
