import { FLOWCONTROL_IMPLS } from "./flowcontrol.js";
import { fmtM, opsOf, type Suite, sizesOf } from "./lib/suite.js";

/**
 * Flow-control decisions/s (start or 429) under contention: closed-loop clients across the
 * default priority levels, through APF and through max-in-flight for comparison.
 */
export const flowcontrolSuite: Suite = {
  name: "flowcontrol",
  script: "flowcontrol.js",
  cases: (quick) =>
    (quick ? [1000] : [1000, 20_000]).flatMap((clients) =>
      FLOWCONTROL_IMPLS.map((impl) => ["--impl", impl, "--clients", String(clients), "--time", quick ? "400" : "2000"]),
    ),
  report: (rows) => {
    const lines = [
      `${"M decisions/s (reject %)".padEnd(26)}${sizesOf(rows)
        .map((n) => `${n} clients`.padStart(20))
        .join("")}`,
    ];
    for (const impl of FLOWCONTROL_IMPLS) {
      lines.push(
        `${impl.padEnd(26)}${sizesOf(rows)
          .map((n) => {
            const r = rows.find((x) => x.impl === impl && x.size === n);
            return `${fmtM(opsOf(rows, impl, n))} (${r?.extra?.reject_percent ?? "-"}%)`.padStart(20);
          })
          .join("")}`,
      );
    }
    for (const n of sizesOf(rows)) {
      const ratio = opsOf(rows, "max-in-flight", n) / opsOf(rows, "apf", n);
      lines.push(`${n} clients: APF costs ${ratio.toFixed(1)}x the time of max-in-flight per decision`);
    }
    return lines;
  },
};
