import { describe, expect, it } from "vitest";
import { StrictMap } from "../../src/engine/strict-map.js";

class Reader extends StrictMap {
  read(key: string): unknown {
    this.seen.add(key);
    return this.map[key];
  }
}

describe("StrictMap", () => {
  it("refuses a value that is not a map, naming the path", () => {
    expect(() => new Reader([1], "spec.items")).toThrow(/spec\.items: expected a map/);
    expect(() => new Reader(null, "spec")).toThrow(/spec: expected a map/);
  });

  it("gives fields their path", () => {
    expect(new Reader({}, "").at("a")).toBe("a");
    expect(new Reader({}, "spec.x").at("a")).toBe("spec.x.a");
  });

  it("rejects the first field nobody read, listing the known ones", () => {
    const r = new Reader({ seed: 1, sede: 2, other: 3 }, "spec");
    r.read("seed");
    expect(() => r.done()).toThrow(/spec\.sede: expected a known field \(seed\), found unknown field "sede"/);
    r.read("sede");
    r.read("other");
    expect(() => r.done()).not.toThrow();
  });
});
