import { describe, expect, it } from "vitest";
import { DroppedRequestsStats, MAX_RETRY_AFTER_S } from "../../../src/apiserver/flowcontrol/retry-after.js";

const S = 1e6;

describe("Retry-After of APF rejections (dropped requests tracker)", () => {
  it("starts at 1 s", () => {
    const d = new DroppedRequestsStats();
    d.record(5 * S);
    expect(d.retryAfter).toBe(1);
  });

  it("doubles under sustained drops (>= 3 x retryAfter per window), up to 32 s", () => {
    const d = new DroppedRequestsStats();
    const seen: number[] = [];
    for (let sec = 1; sec <= 80; sec++) {
      for (let k = 0; k < 200; k++) d.record(sec * S + k);
      seen.push(d.retryAfter);
    }
    expect(seen[0]).toBe(1);
    expect(seen).toContain(2);
    expect(seen).toContain(4);
    expect(Math.max(...seen)).toBe(MAX_RETRY_AFTER_S);
    // Non-decreasing while drops keep coming.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
  });

  it("decays by one second at each new second with few drops in its window", () => {
    const d = new DroppedRequestsStats();
    for (let sec = 1; sec <= 40; sec++) for (let k = 0; k < 200; k++) d.record(sec * S + k);
    const high = d.retryAfter;
    expect(high).toBe(MAX_RETRY_AFTER_S);
    // A drop every 3 s: fewer drops in the window than its length in seconds, so each new
    // second lowers it by one.
    let last = high;
    for (let sec = 200; sec < 320; sec += 3) {
      d.record(sec * S);
      expect(d.retryAfter).toBeLessThanOrEqual(last);
      last = d.retryAfter;
    }
    expect(last).toBe(1);
  });
});
