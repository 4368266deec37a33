import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/cli/run-scenario.js";
import { loadScenarioFile, parseScenario } from "../../src/scenario/load.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-etcddemo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: etcd-small}
spec:
  seed: 4
  duration: 30s
  etcdDemo:
    cluster: {members: 3, topology: external}
    apiservers: 2
    nodes: 200
    pods: {count: 300, createRate: 20}
    compactionInterval: 10s
    faults:
      - {at: 10s, stopMember: 0}
      - {at: 20s, startMember: 0}
`;

describe("etcd demo scenario", () => {
  it("runs, shows the leader loss, saves the store, and is byte-identical per seed", () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    runScenario(parseScenario(SMALL), a);
    runScenario(parseScenario(SMALL), b);
    for (const f of ["requests.csv", "watch.csv", "summary.json", "etcd-snapshot.ndjson"]) {
      expect(readFileSync(join(a, f), "utf8")).toBe(readFileSync(join(b, f), "utf8"));
    }
    const s = JSON.parse(readFileSync(join(a, "summary.json"), "utf8"));
    expect(s.model.etcd.raftTerm).toBe(2);
    expect(s.model.etcd.elections).toBeGreaterThanOrEqual(1);
    expect(s.model.podsCreated).toBe(300);
    // External clients fail over: no request is lost to the stopped member beyond those in flight.
    expect(s.model.latency_us.create.count).toBe(300);
    // The election stalls writes for at least an election timeout.
    expect(s.model.latency_us["renew-lease"].max).toBeGreaterThan(1_000_000);
    expect(s.model.watchLag_us.count).toBeGreaterThan(1000);
    expect(s.model.etcd.compactRevision).toBeGreaterThan(0);
    expect(readFileSync(join(a, "requests.csv"), "utf8").split("\n")[0]).toBe(
      "time_us,client,op,key,latency_us,revision,error",
    );
  });

  it("stacked: watches of the stopped member's apiserver wait, then resume without gaps or growth", () => {
    // Regression: each broken stream used to reopen every prefix, doubling the streams per
    // refused retry until the heap ran out while the member was down.
    const out = join(dir, "stacked");
    const stacked = SMALL.replace("topology: external", "topology: stacked").replace("apiservers: 2", "apiservers: 3");
    runScenario(parseScenario(stacked), out);
    const rows = readFileSync(join(out, "watch.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",").map(Number));
    const client0 = rows.filter((r) => r[1] === 0);
    // Nothing reaches client 0 while its member is down (10 s to 20 s)...
    expect(client0.some((r) => (r[0] as number) > 10_500_000 && (r[0] as number) < 20_000_000)).toBe(false);
    // ...and its watches come back after the restart.
    expect(client0.some((r) => (r[0] as number) > 21_000_000)).toBe(true);
    // Resumed from the revision after the last one seen: client 0 ends up with exactly the
    // events client 1 received, none lost and none twice.
    const events = (c: number) => rows.filter((r) => r[1] === c).reduce((n, r) => n + (r[3] as number), 0);
    expect(events(0)).toBe(events(1));
  });

  it("loads the bundled leader-loss scenario", () => {
    const s = loadScenarioFile("scenarios/etcd-leader-loss.yaml");
    expect(s.etcdDemo?.faults).toEqual([
      { at: 40_000_000, action: "stop", member: 0 },
      { at: 70_000_000, action: "start", member: 0 },
    ]);
  });

  it("rejects bad etcd settings with their path", () => {
    expect(() => parseScenario(SMALL.replace("members: 3", "members: 4"))).toThrow(
      /spec\.etcdDemo\.cluster\.members: expected 1, 3 or 5/,
    );
    expect(() => parseScenario(SMALL.replace("stopMember: 0", "stopMember: 3"))).toThrow(
      /faults\[0\]\.stopMember: expected an integer from 0 to 2/,
    );
    expect(() => parseScenario(SMALL.replace("topology: external", "topology: mesh"))).toThrow(
      /topology: expected one of stacked, external/,
    );
    expect(() => parseScenario(SMALL.replace("at: 20s", "at: 2h"))).toThrow(
      /faults\[1\]\.at: expected a time within the run/,
    );
  });
});
