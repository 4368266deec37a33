import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { explainCommand } from "../../src/cli/explain-command.js";

let out = "";
let err = "";

beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const dir = mkdtempSync(join(tmpdir(), "kubesim-explain-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("kubesim explain", () => {
  it("explains the bundled sample as JSON", () => {
    const code = explainCommand(["--cluster", "scenarios/explain/cluster.yaml", "--pod", "scenarios/explain/pod.yaml"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const e = JSON.parse(out);
    expect(e.selectedNode).toBe("worker-b1");
    expect(e.pod).toBe("shop/web-5d8f7c9b6d-t4v6b");
    expect(e.nodes).toHaveLength(5);
    const a1 = e.nodes.find((n: { name: string }) => n.name === "worker-a1");
    expect(a1.filters.map((f: { plugin: string }) => f.plugin)).toContain("NodeResourcesFit");
    expect(a1.scores.find((s: { plugin: string }) => s.plugin === "NodeResourcesFit")).toEqual({
      plugin: "NodeResourcesFit",
      raw: 88,
      normalized: 88,
      weight: 1,
      weighted: 88,
    });
    expect(a1.total).toBe(668);
    expect(a1.outcome).toBe("lost: total 668 < 718 (worker-b1)");
    const c1 = e.nodes.find((n: { name: string }) => n.name === "worker-c1");
    expect(c1.decidingFilter).toEqual({
      plugin: "NodeUnschedulable",
      status: "UnschedulableAndUnresolvable",
      reasons: ["node(s) were unschedulable"],
    });
    expect(e.why).toBe("selected: highest total 718");
  });

  it("prints a table", () => {
    const code = explainCommand([
      "--cluster",
      "scenarios/explain/cluster.yaml",
      "--pod",
      "scenarios/explain/pod.yaml",
      "-o",
      "table",
    ]);
    expect(code).toBe(0);
    expect(out).toContain("-> worker-b1");
    expect(out).toMatch(/worker-b2\s+TaintToleration/);
  });

  it("takes a KubeSchedulerConfiguration", () => {
    const cfg = file(
      "cfg.yaml",
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: MostAllocated\n",
    );
    const code = explainCommand([
      "--cluster",
      "scenarios/explain/cluster.yaml",
      "--pod",
      "scenarios/explain/pod.yaml",
      "--config",
      cfg,
    ]);
    expect(code).toBe(0);
    const e = JSON.parse(out);
    const a2 = e.nodes.find((n: { name: string }) => n.name === "worker-a2");
    // MostAllocated favours the busy worker-a2: cpu 5.5/8 → 68, memory 12.5/32 → 39, (68+39)÷2 = 53.
    expect(a2.scores.find((s: { plugin: string }) => s.plugin === "NodeResourcesFit").raw).toBe(53);
  });

  it("exits 2 with the file and field path on bad input", () => {
    const bad = file(
      "bad.yaml",
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n1\n  status:\n    allocatable:\n      cpu: four\n",
    );
    expect(explainCommand(["--cluster", bad, "--pod", "scenarios/explain/pod.yaml"])).toBe(2);
    expect(err).toContain(`${bad}: items[0].status.allocatable.cpu: expected a quantity`);
    err = "";
    const noSpec = file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n");
    expect(explainCommand(["--cluster", "scenarios/explain/cluster.yaml", "--pod", noSpec])).toBe(2);
    expect(err).toContain(`${noSpec}: spec: expected a pod spec, found nothing`);
    err = "";
    expect(explainCommand(["--cluster", join(dir, "missing.yaml"), "--pod", noSpec])).toBe(2);
    expect(err).toContain('missing.yaml: expected a readable file, found "ENOENT"');
    err = "";
    expect(explainCommand(["--pod", noSpec])).toBe(2);
    expect(err).toContain("--cluster: expected a cluster file");
    err = "";
    const badCfg = file(
      "cfg2.yaml",
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nparallelism: 0\n",
    );
    expect(
      explainCommand([
        "--cluster",
        "scenarios/explain/cluster.yaml",
        "--pod",
        "scenarios/explain/pod.yaml",
        "--config",
        badCfg,
      ]),
    ).toBe(2);
    expect(err).toContain(`${badCfg}: parallelism: expected an integer value greater than zero, found 0`);
  });
});
