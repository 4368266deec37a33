import { describe, expect, it } from "vitest";
import { InputError } from "../../src/engine/errors.js";
import { formatDuration, HOUR, MILLISECOND, MINUTE, parseDuration, SECOND } from "../../src/engine/time.js";

describe("parseDuration", () => {
  it("reads Go-style durations into whole microseconds", () => {
    expect(parseDuration("250ms")).toBe(250 * MILLISECOND);
    expect(parseDuration("5s")).toBe(5 * SECOND);
    expect(parseDuration("2m")).toBe(2 * MINUTE);
    expect(parseDuration("1h")).toBe(HOUR);
    expect(parseDuration("1h30m")).toBe(90 * MINUTE);
    expect(parseDuration("1.5s")).toBe(1_500_000);
    expect(parseDuration("0.1s")).toBe(100_000);
    expect(parseDuration("100us")).toBe(100);
    expect(parseDuration("100µs")).toBe(100);
    expect(parseDuration("2000ns")).toBe(2);
    expect(parseDuration("1d")).toBe(24 * HOUR);
    expect(parseDuration("-3s")).toBe(-3 * SECOND);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration(0)).toBe(0);
  });

  it("rejects what is not a duration, naming the path", () => {
    expect(() => parseDuration("5", "spec.period")).toThrow(/spec\.period: expected a duration/);
    expect(() => parseDuration(5, "x")).toThrow(InputError);
    expect(() => parseDuration("5 s", "x")).toThrow(InputError);
    expect(() => parseDuration("5sec", "x")).toThrow(InputError);
    expect(() => parseDuration("", "x")).toThrow(InputError);
    expect(() => parseDuration("1500ns", "x")).toThrow(/whole number of microseconds/);
  });
});

describe("formatDuration", () => {
  it("formats the way Go's Duration.String does", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(1)).toBe("1µs");
    expect(formatDuration(1500)).toBe("1.5ms");
    expect(formatDuration(250 * MILLISECOND)).toBe("250ms");
    expect(formatDuration(5 * SECOND)).toBe("5s");
    expect(formatDuration(HOUR + 2 * MINUTE + 3_500_000)).toBe("1h2m3.5s");
    expect(formatDuration(2 * MINUTE)).toBe("2m0s");
    expect(formatDuration(-1500)).toBe("-1.5ms");
  });

  it("round-trips through parseDuration", () => {
    for (const us of [1, 999, 1000, 1234567, 59 * SECOND + 1, 3 * HOUR + 7]) {
      expect(parseDuration(formatDuration(us))).toBe(us);
    }
  });
});
