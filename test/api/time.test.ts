import { describe, expect, it } from "vitest";
import { formatMicroTime, formatTimestamp, parseTimestamp, SIMULATION_EPOCH } from "../../src/api/time.js";
import { InputError } from "../../src/engine/errors.js";

describe("virtual time ↔ RFC 3339", () => {
  it("maps virtual 0 to the documented epoch", () => {
    expect(formatTimestamp(0)).toBe(SIMULATION_EPOCH);
    expect(formatTimestamp(0)).toBe("2025-01-01T00:00:00Z");
    expect(parseTimestamp("2025-01-01T00:00:00Z")).toBe(0);
  });

  it("prints whole seconds like metav1.Time and keeps microseconds otherwise", () => {
    expect(formatTimestamp(5_000_000)).toBe("2025-01-01T00:00:05Z");
    expect(formatTimestamp(5_123_456)).toBe("2025-01-01T00:00:05.123456Z");
    expect(formatTimestamp(1)).toBe("2025-01-01T00:00:00.000001Z");
    expect(formatTimestamp(86_400_000_000 * 366)).toBe("2026-01-02T00:00:00Z");
    expect(formatTimestamp(-1)).toBe("2024-12-31T23:59:59.999999Z");
    expect(formatMicroTime(5_000_000)).toBe("2025-01-01T00:00:05.000000Z");
  });

  it("round-trips and reads other clusters' timestamps", () => {
    for (const us of [0, 1, 999_999, 1_000_000, 3_600_000_123, -5_000_001, 123_456_789_012]) {
      expect(parseTimestamp(formatTimestamp(us))).toBe(us);
      expect(parseTimestamp(formatMicroTime(us))).toBe(us);
    }
    expect(parseTimestamp("2024-12-31T23:00:00Z")).toBe(-3_600_000_000);
    expect(parseTimestamp("2025-01-01T02:00:00+02:00")).toBe(0);
    expect(parseTimestamp("2025-01-01T00:00:00.5Z")).toBe(500_000);
    expect(parseTimestamp("2025-01-01T00:00:00.123456789Z")).toBe(123_456);
  });

  it("rejects what is not RFC 3339", () => {
    for (const bad of [
      "",
      "2025-01-01",
      "2025-01-01 00:00:00Z",
      "2025-13-01T00:00:00Z",
      "2025-02-30T00:00:00Z",
      "2025-01-01T00:00:60Z",
      "2025-01-01T00:00:00",
    ]) {
      expect(() => parseTimestamp(bad), bad).toThrow(InputError);
    }
  });
});
