import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "csv-stringify/sync";

export type Cell = string | number | boolean | null;

/**
 * A CSV file written as a stream: header first, rows buffered in small batches and written
 * synchronously, so memory stays flat however long the run, output is identical on every run,
 * and everything written before a failure is already on disk after `close()`.
 */
export class CsvWriter {
  readonly path: string;
  readonly columns: readonly string[];
  rows = 0;
  private fd: number;
  private batch: Cell[][] = [];
  private readonly batchSize: number;

  constructor(path: string, columns: readonly string[], batchSize = 2048) {
    this.path = path;
    this.columns = columns;
    this.batchSize = batchSize;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
    writeSync(this.fd, stringify([columns as string[]]));
  }

  /** Appends one row; its length must match the header. */
  write(row: Cell[]): void {
    if (row.length !== this.columns.length) {
      throw new RangeError(`${this.path}: row has ${row.length} cells, header has ${this.columns.length}`);
    }
    this.batch.push(row);
    this.rows++;
    if (this.batch.length >= this.batchSize) this.flush();
  }

  /** Writes buffered rows to disk. */
  flush(): void {
    if (this.batch.length === 0 || this.fd < 0) return;
    writeSync(this.fd, stringify(this.batch));
    this.batch = [];
  }

  /** Flushes and closes the file (safe to call twice). */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}
