import { fmtM, type Suite } from "./lib/suite.js";

/** Watch fan-out: deliveries/s and memory per watcher (issue target: >= 2 M deliveries/s). */
export const watchSuite: Suite = {
  name: "watch",
  script: "watch.js",
  cases: (quick) =>
    ["fanout-hub", "fanout-e2e"].flatMap((kase) =>
      (quick
        ? [[10_000, 1_000]]
        : [
            [10_000, 1_000],
            [10_000, 10],
            [100_000, 1_000],
          ]
      ).map(([w, p]) => [
        "--case",
        kase,
        "--watchers",
        String(w),
        "--prefixes",
        String(p),
        "--time",
        quick ? "500" : "2500",
      ]),
    ),
  nodeArgs: ["--expose-gc"],
  report: (rows) => {
    const lines = rows.map(
      (r) =>
        `${r.case.padEnd(11)} ${r.impl.padEnd(14)} ${fmtM(r.opsPerSec)} M deliveries/s (${r.extra?.deliveries_per_write} watchers per write` +
        `${r.extra?.writes_per_s === undefined ? "" : `, ${r.extra.writes_per_s} writes/s`}), ${r.extra?.heap_bytes_per_watcher ?? "-"} heap bytes per watcher`,
    );
    const hub = rows.find((r) => r.case === "fanout-hub" && r.impl === "10000w/1000p");
    if (hub !== undefined) {
      lines.push(
        `target >= 2.00 M deliveries/s, fan-out of 10,000 watchers over 1,000 prefixes: ${fmtM(hub.opsPerSec)} M/s (${hub.opsPerSec >= 2e6 ? "met" : "MISSED"})`,
      );
    }
    return lines;
  },
};
