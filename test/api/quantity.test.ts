import { describe, expect, it } from "vitest";
import {
  compareQuantities,
  formatQuantity,
  milliValue,
  parseQuantity,
  quantityFromMilli,
  quantityFromValue,
  roundUpToMilli,
  value,
} from "../../src/api/quantity.js";
import { InputError } from "../../src/engine/errors.js";

describe("parseQuantity: Kubernetes documentation examples", () => {
  it("reads the 'Meaning of memory' examples exactly", () => {
    // 128974848, 129e6, 129M, 128974848000m and 123Mi are "roughly the same value".
    expect(value("128974848")).toBe(128_974_848);
    expect(value("129e6")).toBe(129_000_000);
    expect(value("129M")).toBe(129_000_000);
    expect(value("128974848000m")).toBe(128_974_848);
    expect(value("123Mi")).toBe(128_974_848);
    expect(compareQuantities("128974848000m", "123Mi")).toBe(0);
    expect(compareQuantities("129e6", "129M")).toBe(0);
    // "If you request 400m of memory, this is a request for 0.4 bytes."
    expect(milliValue("400m")).toBe(400);
    expect(value("400m")).toBe(1);
  });

  it("reads the 'Meaning of CPU' and brief examples", () => {
    expect(milliValue("0.1")).toBe(100);
    expect(milliValue("100m")).toBe(100);
    expect(milliValue("1.5")).toBe(1500);
    expect(milliValue("1")).toBe(1000);
    expect(value("2Gi")).toBe(2 * 1024 ** 3);
    expect(value("500M")).toBe(500_000_000);
    expect(value("1e3")).toBe(1000);
    expect(milliValue("1e3")).toBe(1_000_000);
  });

  it("knows every suffix", () => {
    expect(parseQuantity("5n").nanos).toBe(5n);
    expect(parseQuantity("4u").nanos).toBe(4000n);
    expect(milliValue("3m")).toBe(3);
    expect(value("8k")).toBe(8000);
    expect(value("7M")).toBe(7e6);
    expect(value("6G")).toBe(6e9);
    expect(value("5T")).toBe(5e12);
    expect(value("2P")).toBe(2e15);
    expect(parseQuantity("1E").nanos).toBe(10n ** 27n);
    expect(value("1Ki")).toBe(1024);
    expect(value("7Mi")).toBe(7 * 2 ** 20);
    expect(value("6Gi")).toBe(6 * 2 ** 30);
    expect(value("5Ti")).toBe(5 * 2 ** 40);
    expect(value("4Pi")).toBe(4 * 2 ** 50);
    expect(parseQuantity("3Ei").nanos).toBe(3n * 2n ** 60n * 10n ** 9n);
    expect(value("1E-3")).toBe(1);
    expect(milliValue("1E-3")).toBe(1);
    expect(value("1.3E+6")).toBe(1_300_000);
    expect(value("1.")).toBe(1);
    expect(value("1.G")).toBe(1e9);
    expect(milliValue(".001")).toBe(1);
    expect(value("+5")).toBe(5);
    expect(value("-5")).toBe(-5);
  });

  it("rounds up like MilliValue()/Value() and rounds sub-nano values up at parse time", () => {
    expect(milliValue("0.0001")).toBe(1);
    expect(value("0.1")).toBe(1);
    expect(value("1.0001")).toBe(2);
    expect(parseQuantity("3.001n").nanos).toBe(4n);
    expect(parseQuantity("0.9n").nanos).toBe(1n);
    expect(parseQuantity("0.00000012345").nanos).toBe(124n);
    expect(parseQuantity("1.1E-9").nanos).toBe(2n);
    expect(parseQuantity("0.000000000001Ki").nanos).toBe(2n);
    // negatives round away from zero on upstream's int64 path
    expect(milliValue("-0.0001")).toBe(-1);
    expect(value("-1.5")).toBe(-2);
  });

  it("caps binary quantities at 2^63-1 and refuses numbers beyond 2^53", () => {
    expect(parseQuantity("9Ei").nanos).toBe(((1n << 63n) - 1n) * 10n ** 9n);
    expect(() => value("9Ei")).toThrow(RangeError);
    expect(() => milliValue("10P")).toThrow(/2\^53/);
  });

  it("rejects malformed input with an InputError naming the text", () => {
    for (const bad of [
      "1.5.5",
      "Mi",
      "1Kb",
      "",
      "+-1",
      "1e",
      "1 ",
      " 1",
      "1.1.M",
      "1+1.0M",
      "0.1mi",
      "0.1am",
      "aoeu",
    ]) {
      expect(() => parseQuantity(bad), bad).toThrow(InputError);
    }
    for (const bad of [".5i", "1i", "-3.01i", "-3.01e-", "1ki", "1K", "1KiB", "1e1.5", "++1", "1,5", "0x10"]) {
      expect(() => parseQuantity(bad), bad).toThrow(InputError);
    }
    expect(() => parseQuantity("1Kb", "spec.containers[0].resources.requests.memory")).toThrow(
      /spec\.containers\[0\]\.resources\.requests\.memory: expected a quantity .*found "1Kb"/,
    );
  });

  it("caches parsed values", () => {
    expect(parseQuantity("250m")).toBe(parseQuantity("250m"));
  });
});

describe("formatQuantity (canonical form)", () => {
  it("matches upstream's String() table", () => {
    const cases: [string, string][] = [
      ["1Gi", "1Gi"],
      ["1024Mi", "1Gi"],
      ["300Mi", "300Mi"],
      ["307200Ki", "300Mi"],
      ["1.5Gi", "1536Mi"],
      ["0.5Ki", "512"],
      ["1025Ki", "1025Ki"],
      ["1.5", "1500m"],
      ["1000M", "1G"],
      ["1000000k", "1G"],
      ["0.001T", "1G"],
      ["1000u", "1m"],
      ["1.08", "1080m"],
      ["1080000000n", "1080m"],
      ["1e9", "1e9"],
      [".001e12", "1e9"],
      ["0.001e0", "1e-3"],
      ["1000e-12", "1e-9"],
      ["80e-3", "80e-3"],
      ["300e6", "300e6"],
      ["0", "0"],
      ["0Mi", "0"],
      ["00", "0"],
      [".001Ki", "1024m"],
      [".000001Ki", "1024u"],
      [".000000001Ki", "1024n"],
      [".000000000001Ki", "2n"],
      ["-1.5", "-1500m"],
      ["129e6", "129e6"],
      ["128974848000m", "128974848"],
      ["12E", "12E"],
    ];
    for (const [input, want] of cases) expect(formatQuantity(input), input).toBe(want);
  });

  it("builds quantities from millis and values", () => {
    expect(quantityFromMilli(1500)).toBe("1500m");
    expect(quantityFromMilli(2000)).toBe("2");
    expect(quantityFromValue(1024 ** 3, "BinarySI")).toBe("1Gi");
    expect(quantityFromValue(110)).toBe("110");
    expect(quantityFromValue(0, "BinarySI")).toBe("0");
  });

  it("rounds up to milli precision as SetDefaults_ResourceList does", () => {
    expect(roundUpToMilli("0.1m")).toBe("1m");
    expect(roundUpToMilli("1.0001m")).toBe("2m");
    expect(roundUpToMilli("250m")).toBe("250m");
    expect(roundUpToMilli("1.5")).toBe("1.5");
  });
});
