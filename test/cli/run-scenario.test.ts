import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { runScenario } from "../../src/cli/run-scenario.js";
import { SimulationLimitError } from "../../src/engine/errors.js";
import { loadScenarioFile, parseScenario } from "../../src/scenario/load.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (d: string, f: string) => readFileSync(join(d, f), "utf8");

describe("running a scenario", () => {
  it("writes byte-identical outputs for the same scenario and seed", () => {
    const s = loadScenarioFile("scenarios/default.yaml");
    runScenario(s, join(dir, "a"));
    runScenario(loadScenarioFile("scenarios/default.yaml"), join(dir, "b"));
    for (const f of ["jobs.csv", "throughput.csv", "summary.json"]) {
      expect(read(join(dir, "a"), f)).toBe(read(join(dir, "b"), f));
    }
    const other = loadScenarioFile("scenarios/default.yaml");
    other.seed = 2;
    runScenario(other, join(dir, "c"));
    expect(read(join(dir, "c"), "jobs.csv")).not.toBe(read(join(dir, "a"), "jobs.csv"));
  });

  it("produces CSV with unit-suffixed headers and a summary matching Erlang C", () => {
    const out = join(dir, "a");
    expect(read(out, "jobs.csv").split("\n")[0]).toBe("job,station,arrival_us,start_us,wait_us,service_us");
    expect(read(out, "throughput.csv").split("\n")[0]).toBe(
      "time_s,station,completed,throughput_per_s,queue_length,busy_workers",
    );
    const summary = JSON.parse(read(out, "summary.json"));
    const jobRows = read(out, "jobs.csv").trim().split("\n").length - 1;
    expect(jobRows).toBe(summary.model.jobsArrived * 3);
    for (const st of summary.model.stations) {
      expect(st.completed).toBe(summary.model.jobsArrived);
      if (st.erlangCMeanWait_us !== null) {
        // A 2-minute demo is a small sample; it should still land near the analytic value.
        expect(Math.abs(st.wait_us.mean - st.erlangCMeanWait_us) / st.erlangCMeanWait_us).toBeLessThan(0.15);
      }
    }
  });

  it("keeps everything written before a run fails midway", () => {
    const s = loadScenarioFile("scenarios/default.yaml");
    s.maxEvents = 20_000;
    const out = join(dir, "fail");
    expect(() => runScenario(s, out)).toThrow(SimulationLimitError);
    const rows = read(out, "jobs.csv").trim().split("\n");
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows[0]).toBe("job,station,arrival_us,start_us,wait_us,service_us");
    expect(existsSync(join(out, "summary.json"))).toBe(false);
  });
});

describe("kubesim CLI", () => {
  it("runs a scenario and honours --seed and --out", () => {
    const file = join(dir, "small.yaml");
    writeFileSync(
      file,
      readFileSync("scenarios/default.yaml", "utf8")
        .replace("duration: 2m", "duration: 5s")
        .replace("name: default", "name: small"),
    );
    expect(main(["run", file, "--seed", "5", "--out", join(dir, "cli"), "--quiet"])).toBe(0);
    expect(JSON.parse(read(join(dir, "cli"), "summary.json")).seed).toBe(5);
    expect(parseScenario(readFileSync(file, "utf8")).duration).toBe(5_000_000);
  });

  it("reports bad input on stderr with exit code 2", () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const file = join(dir, "broken.yaml");
      writeFileSync(file, readFileSync("scenarios/default.yaml", "utf8").replace("workers: 4", "workers: 0"));
      expect(main(["run", file, "--quiet"])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain(
        "spec.queueingDemo.stations[0].workers: expected an integer from 1",
      );
      expect(main(["frobnicate"])).toBe(2);
      expect(main(["run"])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
