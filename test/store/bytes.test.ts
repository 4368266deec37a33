import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteLength, fromByteKey, isAscii, NO_END, prefixEnd, toByteKey } from "../../src/store/bytes.js";

/** etcd's order: bytes.Compare on the UTF-8 encodings. */
function utf8Compare(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

function nativeCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe("toByteKey / fromByteKey", () => {
  it("leaves ASCII keys unchanged", () => {
    const key = "/registry/pods/default/nginx-7f8d9c6b5-x2k4p";
    expect(isAscii(key)).toBe(true);
    expect(toByteKey(key)).toBe(key);
    expect(fromByteKey(key)).toBe(key);
    expect(toByteKey("")).toBe("");
  });

  it("encodes non-ASCII text as one char per UTF-8 byte", () => {
    expect(toByteKey("é")).toBe("\u00c3\u00a9");
    expect(toByteKey("\u{1F600}")).toBe("\u00f0\u009f\u0098\u0080");
    expect(byteLength(toByteKey("a€"))).toBe(4);
    expect(fromByteKey("\u00c3\u00a9")).toBe("é");
  });

  it("orders by UTF-8 bytes where UTF-16 order differs", () => {
    const halfwidth = "\uFF61"; // UTF-8 EF BD A1
    const emoji = "\u{1F600}"; // UTF-8 F0 9F 98 80, UTF-16 D83D DE00
    expect(emoji < halfwidth).toBe(true); // plain JS strings: the surrogate sorts first
    expect(toByteKey(halfwidth) < toByteKey(emoji)).toBe(true); // etcd: by bytes
  });

  it("round-trips any string without lone surrogates", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 20 }), (s) => {
        expect(fromByteKey(toByteKey(s))).toBe(s);
      }),
    );
  });

  it("makes native string order equal UTF-8 byte order", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 8 }), fc.string({ unit: "binary", maxLength: 8 }), (a, b) => {
        expect(nativeCompare(toByteKey(a), toByteKey(b))).toBe(utf8Compare(a, b));
      }),
    );
  });

  it("rejects a string that is not a byte string", () => {
    expect(() => fromByteKey("a\u0100")).toThrow(RangeError);
  });
});

describe("prefixEnd", () => {
  it("increments the last byte", () => {
    expect(prefixEnd("a")).toBe("b");
    expect(prefixEnd("/registry/pods/")).toBe("/registry/pods0");
    expect(prefixEnd("/registry/pods/ns-7/")).toBe("/registry/pods/ns-70");
  });

  it("drops trailing 0xff bytes first", () => {
    expect(prefixEnd("a\u00ff")).toBe("b");
    expect(prefixEnd("a\u00fe\u00ff\u00ff")).toBe("a\u00ff");
  });

  it("returns etcd's no-end marker when there is no bound", () => {
    expect(prefixEnd("")).toBe(NO_END);
    expect(prefixEnd("\u00ff\u00ff")).toBe("\u0000");
  });

  it("bounds exactly the keys with the prefix", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 4 }),
        fc.string({ unit: "binary-ascii", maxLength: 6 }),
        (prefix, key) => {
          const end = prefixEnd(prefix);
          const inRange = key >= prefix && (end === NO_END || key < end);
          expect(inRange).toBe(key.startsWith(prefix));
        },
      ),
    );
  });
});
