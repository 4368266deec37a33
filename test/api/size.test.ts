import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonSize, storageSize, storageSizeFromJson, varintSize } from "../../src/api/size.js";
import { sampleLease, sampleNode, samplePod } from "./fixtures.js";

function stringifiedBytes(v: unknown): number {
  const s = JSON.stringify(v);
  return s === undefined ? 0 : Buffer.byteLength(s, "utf8");
}

describe("jsonSize", () => {
  it("equals the UTF-8 length of JSON.stringify on hand-picked values", () => {
    const values: unknown[] = [
      null,
      true,
      false,
      0,
      -0,
      1.5e-7,
      1e21,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "",
      'quote " backslash \\ slash /',
      "control \u0000\u0001\b\f\n\r\t\u001f\u007f",
      "é ü ß 中文 日本語 한국어",
      "emoji 😀 👩‍👩‍👧 🇫🇷",
      "lone \ud800 high and \udc00 low and \ud83d at end \ud83d",
      "line sep \u2028 \u2029",
      [1, undefined, () => 1, Symbol("s"), null],
      { a: undefined, b: () => 1, c: 1, ключ: "значение", [Symbol("x")]: 1 },
      { d: new Date(Date.UTC(2025, 0, 1)) },
      { n: new Number(3), s: new String("x\u00e9"), b: new Boolean(false) },
      new Map([["a", 1]]),
      samplePod(),
      sampleNode(),
      sampleLease(),
    ];
    for (const v of values) expect(jsonSize(v), JSON.stringify(v)).toBe(stringifiedBytes(v));
    expect(jsonSize(undefined)).toBe(0);
  });

  it("equals the stringified length on random JSON values, including arbitrary UTF-16", () => {
    const anyChar = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const str = fc.string({ unit: fc.oneof(anyChar, fc.constantFrom("😀", "é", "中", '"', "\\", "\n")) });
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.integer(),
        str,
        fc.array(tie("json"), { maxLength: 5 }),
        fc.dictionary(str, tie("json"), { maxKeys: 5 }),
      ),
    })).json;
    fc.assert(
      fc.property(value, (v) => jsonSize(v) === stringifiedBytes(v)),
      { numRuns: 500, seed: 42 },
    );
  });

  it("throws like JSON.stringify on cycles and BigInt", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => jsonSize(a)).toThrow(TypeError);
    expect(() => jsonSize({ x: 1n })).toThrow(TypeError);
    const shared = { x: 1 };
    expect(jsonSize([shared, shared])).toBe(stringifiedBytes([shared, shared]));
  });
});

describe("storageSize (protobuf estimate)", () => {
  it("follows the wire format on a minimal object", () => {
    // envelope: 4 magic + typeMeta{"v1","Namespace"} (1+1+15) + raw (1+1+21) + 2 + 2
    // raw: metadata field 1+1+(10 implicit + name 1+1+7)
    expect(storageSize({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } })).toBe(48);
    expect(varintSize(0)).toBe(1);
    expect(varintSize(127)).toBe(1);
    expect(varintSize(128)).toBe(2);
    expect(varintSize(2 ** 32)).toBe(5);
    expect(varintSize(-1)).toBe(10);
  });

  it("gives the protobuf/JSON ratios documented in size.ts for typical objects", () => {
    const ratio = (o: object) => storageSize(o) / jsonSize(o);
    expect(ratio(samplePod())).toBeCloseTo(0.49, 1);
    expect(ratio(sampleNode())).toBeCloseTo(0.7, 1);
    expect(ratio(sampleLease())).toBeCloseTo(0.54, 1);
    // bigger objects cost more: a pod with more labels and a longer name
    const big = samplePod();
    big.metadata.labels = { ...big.metadata.labels, team: "payments", tier: "frontend" };
    expect(storageSize(big)).toBeGreaterThan(storageSize(samplePod()));
    expect(storageSizeFromJson(1000)).toBe(500);
    expect(storageSizeFromJson(1000, 0.7)).toBe(700);
  });
});
