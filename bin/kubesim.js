#!/usr/bin/env node
// Thin launcher for the compiled CLI (run `npm run build` first).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("kubesim: not built yet; run `npm run build` first\n");
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = main(process.argv.slice(2));
