import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../engine/errors.js";
import { loadScenarioFile } from "../scenario/load.js";
import { etcdctlCommand } from "./etcdctl.js";
import { explainCommand } from "./explain-command.js";
import { runScenario } from "./run-scenario.js";

const USAGE = `kubesim: discrete-event simulator of the Kubernetes control plane

Usage:
  kubesim run <scenario.yaml> [--seed N] [--out DIR] [--quiet]
      Runs a scenario; writes CSV traces and summary.json to DIR
      (default: results/<scenario name>).
  kubesim etcdctl get <key> [--prefix] [--keys-only] [--limit N] [-w json] [--snapshot FILE]
      Reads the etcd store a run saved (see kubesim etcdctl --help).
  kubesim explain --cluster <file> --pod <file> [--config <file>] [-o json|table]
      Shows how kube-scheduler would place a pod: every node's filter and score
      results (see kubesim explain --help).
  kubesim help
`;

/** Entry point of the `kubesim` command; returns the process exit code. */
export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run":
        return runCommand(rest);
      case "etcdctl":
        return etcdctlCommand(rest);
      case "explain":
        return explainCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`kubesim: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`kubesim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function runCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean", default: false },
    },
  });
  const file = positionals[0];
  if (positionals.length !== 1 || file === undefined) {
    throw new InputError(
      "run",
      "exactly one scenario file",
      positionals.length === 0 ? undefined : positionals.join(" "),
    );
  }
  const scenario = loadScenarioFile(file);
  if (values.seed !== undefined) {
    scenario.seed = /^-?\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  }
  const outDir = resolve(values.out ?? join("results", scenario.name));
  const wallStart = process.hrtime.bigint();
  const result = runScenario(scenario, outDir);
  const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
  if (!values.quiet) {
    const engine = result.summary.engine as { eventsProcessed: number };
    process.stdout.write(
      `kubesim: ran ${scenario.name} (seed ${scenario.seed}, ${result.summary.duration} virtual) in ` +
        `${(wallMs / 1000).toFixed(2)} s wall, ${engine.eventsProcessed} events\n`,
    );
    for (const f of result.files) process.stdout.write(`  wrote ${relative(process.cwd(), f)}\n`);
  }
  return 0;
}
