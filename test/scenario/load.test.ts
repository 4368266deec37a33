import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Exponential, LogNormal } from "../../src/engine/distributions.js";
import { InputError } from "../../src/engine/errors.js";
import { loadScenarioFile, parseScenario } from "../../src/scenario/load.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-scn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: demo}
spec:
  seed: 7
  duration: 10s
  queueingDemo:
    arrivals: {exponential: {mean: 5ms}}
    stations:
      - {name: a, workers: 2, service: {exponential: {mean: 4ms}}}
      - {name: b, workers: 1, service: {lognormal: {p50: 1ms, p99: 5ms}}}
`;

function errorOf(text: string): InputError {
  try {
    parseScenario(text);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("scenario loading", () => {
  it("reads a valid scenario with defaults filled in", () => {
    const s = parseScenario(GOOD);
    expect(s.name).toBe("demo");
    expect(s.seed).toBe(7);
    expect(s.duration).toBe(10_000_000);
    expect(s.queueingDemo?.sampleInterval).toBe(1_000_000);
    expect(s.queueingDemo?.arrivals).toEqual(new Exponential(5000));
    expect(s.queueingDemo?.stations[1]).toEqual({ name: "b", workers: 1, service: new LogNormal(1000, 5000) });
  });

  it("loads the bundled default scenario", () => {
    const s = loadScenarioFile("scenarios/default.yaml");
    expect(s.name).toBe("default");
    expect(s.queueingDemo?.stations.map((x) => x.name)).toEqual(["apiserver", "etcd", "scheduler"]);
  });

  it.each([
    [
      GOOD.replace("workers: 1,", 'workers: "four",'),
      "spec.queueingDemo.stations[1].workers",
      /expected an integer from 1 to 100000, found "four"/,
    ],
    [GOOD.replace("workers: 2,", "wrokers: 2,"), "spec.queueingDemo.stations[0].wrokers", /unknown field "wrokers"/],
    [GOOD.replace("duration: 10s", "duration: 10"), "spec.duration", /expected a duration/],
    [GOOD.replace("mean: 5ms", "mean: soon"), "spec.queueingDemo.arrivals.exponential.mean", /found "soon"/],
    [GOOD.replace("v1alpha1", "v2"), "apiVersion", /expected "kubesim.io\/v1alpha1"/],
    [GOOD.replace("name: demo", "name: Demo_1"), "metadata.name", /lowercase DNS label/],
    [GOOD.replace("{name: b,", "{name: a,"), "spec.queueingDemo.stations[1].name", /not used by another station/],
    [GOOD.replace("  queueingDemo:", "  queueingDemoo:"), "spec.queueingDemoo", /unknown field/],
  ])("rejects bad input with its path (%#)", (text, path, message) => {
    const e = errorOf(text);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
  });

  it("reports YAML syntax errors with line and column", () => {
    const e = errorOf("apiVersion: kubesim.io/v1alpha1\nkind: [unclosed\n");
    expect(e.message).toMatch(/line \d+, column \d+: expected valid YAML/);
  });

  it("names the file in errors", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, GOOD.replace("seed: 7", "seed: 1.5"));
    expect(() => loadScenarioFile(file)).toThrow(`${file}: spec.seed: expected an integer or a string, found 1.5`);
    expect(() => loadScenarioFile(join(dir, "missing.yaml"))).toThrow(
      /missing\.yaml: expected a readable scenario file, found ENOENT/,
    );
  });
});
