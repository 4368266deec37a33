import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvWriter } from "../../src/metrics/csv-writer.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CsvWriter", () => {
  it("writes a header and quoted rows, in batches", () => {
    const path = join(dir, "a", "out.csv");
    const w = new CsvWriter(path, ["name", "value_us"], 2);
    w.write(["plain", 1]);
    w.write(['with,comma "quoted"', 2]);
    w.write(["third", 3]);
    // Two rows were flushed with the first batch; the third is still buffered.
    expect(readFileSync(path, "utf8").split("\n").length).toBe(4);
    w.close();
    expect(readFileSync(path, "utf8")).toBe('name,value_us\nplain,1\n"with,comma ""quoted""",2\nthird,3\n');
    w.close();
  });

  it("rejects rows that do not match the header", () => {
    const w = new CsvWriter(join(dir, "b.csv"), ["a", "b"]);
    expect(() => w.write([1])).toThrow(/1 cells, header has 2/);
    w.close();
  });
});
