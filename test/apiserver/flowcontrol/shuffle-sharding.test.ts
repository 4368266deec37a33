import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Dealer, hashFlowId, requiredEntropyBits } from "../../../src/apiserver/flowcontrol/shuffle-sharding.js";

describe("shuffle-sharding dealer", () => {
  it("deals by mixed-radix digits of the hash, skipping cards already dealt", () => {
    // deck 4, hand 2, hash 10: digits 10 % 4 = 2, then 2 % 3 = 2 -> cards 2, then 2 skips 2 -> 3.
    expect([...new Dealer(4, 2).deal(10n)]).toEqual([2, 3]);
    // deck 128, hand 6, hash 0: every digit 0 -> 0, 1, 2, 3, 4, 5.
    expect([...new Dealer(128, 6).deal(0n)]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("maps the hashes 0 .. deck!/(deck-hand)!-1 one-to-one onto ordered hands of distinct cards", () => {
    for (const [deck, hand] of [
      [6, 3],
      [8, 4],
      [5, 5],
    ] as const) {
      const d = new Dealer(deck, hand);
      let count = 1;
      for (let i = 0; i < hand; i++) count *= deck - i;
      const seen = new Set<string>();
      for (let h = 0; h < count; h++) {
        const cards = [...d.deal(BigInt(h))];
        expect(new Set(cards).size).toBe(hand);
        for (const c of cards) expect(c >= 0 && c < deck).toBe(true);
        seen.add(cards.join(","));
      }
      expect(seen.size).toBe(count);
    }
  });

  it("is deterministic: the same hash always deals the same hand", () => {
    const d = new Dealer(128, 6);
    const h = hashFlowId("global-default", "alice");
    expect([...d.deal(h)]).toEqual([...new Dealer(128, 6).deal(h)]);
  });

  it("spreads flows evenly over the queues (chi-square over 10,000 users)", () => {
    const deck = 64;
    const d = new Dealer(deck, 6);
    const counts = new Array<number>(deck).fill(0);
    const n = 10_000;
    for (let i = 0; i < n; i++)
      for (const c of d.deal(hashFlowId("system-nodes", `system:node:node-${i}`))) counts[c]++;
    const expected = (n * 6) / deck;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 63 degrees of freedom: the 99.9th percentile of chi-square is about 103.4.
    expect(chi2).toBeLessThan(103.4);
    // And two flows rarely share their whole hand: distinct hands for distinct users.
    const hands = new Set<string>();
    for (let i = 0; i < 1000; i++) hands.add([...d.deal(hashFlowId("system-nodes", `u${i}`))].sort().join(","));
    expect(hands.size).toBe(1000);
  });

  it("hashes flows as SHA-256(schema NUL distinguisher), first 8 bytes little-endian", () => {
    const digest = createHash("sha256").update(Buffer.from("global-default\u0000alice")).digest();
    expect(hashFlowId("global-default", "alice")).toBe(digest.readBigUInt64LE(0));
    expect(hashFlowId("a", "bc")).not.toBe(hashFlowId("ab", "c"));
  });

  it("refuses deals needing more than 60 bits of hash", () => {
    expect(requiredEntropyBits(128, 6)).toBe(42);
    expect(() => new Dealer(1024, 7)).toThrow(RangeError);
    expect(() => new Dealer(4, 5)).toThrow(RangeError);
    expect(() => new Dealer(1024, 6)).not.toThrow();
  });
});
