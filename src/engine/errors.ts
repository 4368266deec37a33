/** A value in user input (scenario, CLI, config) that is not what was expected. */
export class InputError extends Error {
  /** Path of the offending field, e.g. `workload.phases[2].qps`; empty for the whole document. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  /** File the value came from, when known. */
  file: string | undefined;

  constructor(path: string, expected: string, found: unknown, file?: string) {
    const foundText = describeValue(found);
    super(formatInputError(file, path, expected, foundText));
    this.name = "InputError";
    this.path = path;
    this.expected = expected;
    this.found = foundText;
    this.file = file;
  }

  /** Returns a copy of this error attributed to a file. */
  inFile(file: string): InputError {
    const e = new InputError(this.path, this.expected, undefined, file);
    // Keep the original description of the found value.
    Object.defineProperty(e, "found", { value: this.found });
    e.message = formatInputError(file, this.path, this.expected, this.found);
    return e;
  }
}

function formatInputError(file: string | undefined, path: string, expected: string, found: string): string {
  const where = [file, path].filter((s) => s !== undefined && s !== "").join(": ");
  return `${where === "" ? "" : `${where}: `}expected ${expected}, found ${found}`;
}

/** A "found" text that is already a description (e.g. `unknown field "x"`), not a value to quote. */
export class Described {
  constructor(readonly text: string) {}
}

/** Short human description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v instanceof Described) return v.text;
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") {
    const keys = Object.keys(v as object);
    return keys.length === 0 ? "an empty map" : `a map with keys ${keys.slice(0, 5).join(", ")}`;
  }
  return typeof v;
}

/** Raised when a run exceeds a configured guard such as the maximum event count. */
export class SimulationLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimulationLimitError";
  }
}
