// `npm run bench [-- --quick] [-- --suite NAME]`: runs every benchmark case in its own Node
// process (fresh JIT, no cross-case interference), prints a table, writes results/bench/.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { apiserverSuite } from "./apiserver.suite.js";
import { btreeSuite } from "./btree.js";
import { IMPLS } from "./engine-hold.js";
import { flowcontrolSuite } from "./flowcontrol.suite.js";
import { type BenchRow, machineInfo, writeResults } from "./lib/harness.js";
import type { Suite } from "./lib/suite.js";
import { schedulerSuite } from "./scheduler.suite.js";
import { watchSuite } from "./watch.suite.js";

const fmt = (x: number) => (x / 1e6).toFixed(2);

const SUITES: Suite[] = [
  {
    name: "engine-hold",
    script: "engine-hold.js",
    cases: (quick) =>
      (quick ? [1e3, 1e5] : [1e3, 1e5, 1e6]).flatMap((size) =>
        IMPLS.map((impl) => ["--impl", impl, "--size", String(size), "--time", quick ? "400" : "2500"]),
      ),
    report: (rows) => {
      const lines = [
        `${"million hold ops/s".padEnd(32)}${sizes(rows)
          .map((n) => `n=${n}`.padStart(12))
          .join("")}`,
      ];
      for (const impl of IMPLS) {
        lines.push(
          `${impl.padEnd(32)}${sizes(rows)
            .map((n) => fmt(find(rows, impl, n)).padStart(12))
            .join("")}`,
        );
      }
      for (const size of sizes(rows)) {
        const post = find(rows, "engine-post/typed-heap", size) / find(rows, "engine-post/fastpriorityqueue", size);
        const after = find(rows, "engine-after/typed-heap", size) / find(rows, "engine-after/fastpriorityqueue", size);
        const bare = find(rows, "engine-post/typed-heap", size) / find(rows, "raw/typed-heap", size);
        lines.push(
          `n=${size}: typed heap vs fastpriorityqueue in the engine: ${post.toFixed(2)}x (post), ${after.toFixed(2)}x (after)` +
            ` [rule: typed heap only if >= 1.5x]; engine post path = ${(bare * 100).toFixed(0)}% of the bare heap`,
        );
      }
      const at1e5 = find(rows, "engine-post/typed-heap", 1e5);
      lines.push(
        `target >= 3.00 M events/s at 1e5 pending (engine, empty handler): ${fmt(at1e5)} M/s (${at1e5 >= 3e6 ? "met" : "MISSED"})`,
      );
      if (!sizes(rows).includes(1e6)) {
        lines.push("(quick mode: short cases, a smoke test; the target is judged on the full run)");
      }
      return lines;
    },
  },
  watchSuite,
  btreeSuite,
  apiserverSuite,
  flowcontrolSuite,
  schedulerSuite,
];

function sizes(rows: BenchRow[]): number[] {
  return [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
}

function find(rows: BenchRow[], impl: string, size: number): number {
  return rows.find((r) => r.impl === impl && r.size === size)?.opsPerSec ?? Number.NaN;
}

function main(): void {
  const quick = process.argv.includes("--quick");
  const only = process.argv.indexOf("--suite") >= 0 ? process.argv[process.argv.indexOf("--suite") + 1] : undefined;
  const m = machineInfo();
  process.stdout.write(`kubesim bench${quick ? " (quick)" : ""}: Node ${m.node}, ${m.cpu}, ${m.cores} cores\n`);
  for (const suite of SUITES) {
    if (only !== undefined && suite.name !== only) continue;
    const script = fileURLToPath(new URL(suite.script, import.meta.url));
    const rows: BenchRow[] = [];
    for (const args of suite.cases(quick)) {
      const out = execFileSync(process.execPath, [...(suite.nodeArgs ?? []), script, ...args], {
        encoding: "utf8",
        maxBuffer: 1 << 24,
      });
      // A case prints one row, or several when it measures variants side by side in one process.
      const printed = out
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as BenchRow);
      if (printed.length === 0) throw new Error(`${suite.script} ${args.join(" ")}: printed no result row`);
      for (const row of printed) {
        rows.push(row);
        process.stdout.write(
          `  ${suite.name} ${row.impl} size=${row.size}: ${fmt(row.opsPerSec)} M ops/s (±${row.rmePercent.toFixed(1)}%)\n`,
        );
      }
    }
    const report = suite.report(rows);
    process.stdout.write(`\n${suite.name}\n${report.join("\n")}\n`);
    const files = writeResults(suite.name, rows, quick, report);
    process.stdout.write(`wrote ${files.join(", ")}\n\n`);
  }
}

main();
