import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { Described, InputError } from "../engine/errors.js";
import { SECOND } from "../engine/time.js";
import { Fields } from "./fields.js";
import type { QueueingDemoSpec, Scenario, StationSpec } from "./scenario.js";

export const API_VERSION = "kubesim.io/v1alpha1";
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_TEXT = "a lowercase DNS label (letters, digits, '-')";

/** Reads and validates a scenario file; errors name the file and the field path. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(
      "",
      "a readable scenario file",
      new Described((e as NodeJS.ErrnoException).code ?? String(e)),
      file,
    );
  }
  try {
    return parseScenario(text);
  } catch (e) {
    if (e instanceof InputError) throw e.inFile(file);
    throw e;
  }
}

/** Parses and validates scenario YAML text. */
export function parseScenario(text: string): Scenario {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err?.linePos?.[0];
    const where = pos === undefined ? "" : `line ${pos.line}, column ${pos.col}`;
    throw new InputError(where, "valid YAML", new Described(err?.message.split("\n")[0] ?? "a parse error"));
  }
  return readScenario(doc.toJS());
}

/** Validates an already-parsed scenario document. */
export function readScenario(value: unknown): Scenario {
  const root = new Fields(value, "");
  const apiVersion = root.string("apiVersion");
  if (apiVersion !== API_VERSION) throw new InputError("apiVersion", `"${API_VERSION}"`, apiVersion);
  const kind = root.string("kind");
  if (kind !== "Scenario") throw new InputError("kind", '"Scenario"', kind);
  const meta = root.fields("metadata");
  const name = meta.string("name", undefined, NAME, NAME_TEXT);
  meta.raw("annotations");
  meta.raw("labels");
  meta.done();
  const spec = root.fields("spec");
  root.done();

  const seedRaw = spec.raw("seed");
  let seed: number | string = 1;
  if (seedRaw !== undefined) {
    if (!(typeof seedRaw === "string" || (typeof seedRaw === "number" && Number.isSafeInteger(seedRaw)))) {
      throw new InputError(spec.at("seed"), "an integer or a string", seedRaw);
    }
    seed = seedRaw;
  }
  const duration = spec.duration("duration");
  if (duration <= 0) throw new InputError(spec.at("duration"), "a positive duration", spec.raw("duration"));
  const maxEvents = spec.int("maxEvents", { min: 1, fallback: 1_000_000_000 });
  const demo = spec.optionalFields("queueingDemo");
  const queueingDemo = demo === undefined ? undefined : readQueueingDemo(demo);
  spec.done();
  if (queueingDemo === undefined) {
    throw new InputError("spec", "a model to run (spec.queueingDemo)", "none");
  }
  return { name, seed, duration, maxEvents, queueingDemo };
}

function readQueueingDemo(f: Fields): QueueingDemoSpec {
  const arrivals = f.distribution("arrivals");
  const sampleInterval = f.duration("sampleInterval", SECOND);
  if (sampleInterval <= 0) throw new InputError(f.at("sampleInterval"), "a positive duration", f.raw("sampleInterval"));
  const names = new Set<string>();
  const stations: StationSpec[] = f.list("stations", { minLength: 1 }).map(({ value, path }) => {
    const s = new Fields(value, path);
    const name = s.string("name", undefined, NAME, NAME_TEXT);
    if (names.has(name)) throw new InputError(s.at("name"), "a name not used by another station", name);
    names.add(name);
    const station = { name, workers: s.int("workers", { min: 1, max: 100_000 }), service: s.distribution("service") };
    s.done();
    return station;
  });
  f.done();
  return { arrivals, stations, sampleInterval };
}
