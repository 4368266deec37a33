import { Described, InputError } from "./errors.js";

/**
 * One map of a parsed document read field by field: every field has a path, and `done()` turns
 * fields nobody read into errors (typos are not silently ignored). Readers of particular
 * documents (scenarios, KubeSchedulerConfiguration) extend it with their typed accessors.
 */
export class StrictMap {
  readonly path: string;
  protected readonly map: Record<string, unknown>;
  protected readonly seen = new Set<string>();

  constructor(value: unknown, path: string) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new InputError(path, "a map", value);
    }
    this.map = value as Record<string, unknown>;
    this.path = path;
  }

  /** Path of a field of this map. */
  at(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  /** Rejects the first field that was never read. */
  done(): void {
    for (const k of Object.keys(this.map)) {
      if (!this.seen.has(k)) {
        const known = [...this.seen].sort().join(", ");
        throw new InputError(this.at(k), `a known field (${known})`, new Described(`unknown field "${k}"`));
      }
    }
  }
}
