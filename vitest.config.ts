import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Statistical tests run millions of simulated customers; give them room on a slow CI core.
    testTimeout: 120_000,
  },
});
