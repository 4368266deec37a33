// Shuffle sharding: a flow's 64-bit hash deals it a hand of `handSize` distinct queues out of a
// deck of `deckSize`. Same algorithm as upstream
// staging/src/k8s.io/apiserver/pkg/util/shufflesharding/shufflesharding.go (Dealer.Deal), and
// the flow hash of apf_controller.go (hashFlowID: SHA-256 of schema name, NUL, distinguisher;
// the first 8 bytes read little-endian).
import { createHash } from "node:crypto";

/** Upstream MaxHashBits: a hand may consume at most this many bits of the hash. */
export const MAX_HASH_BITS = 60;

/** Bits of entropy a deal of `handSize` cards from `deckSize` needs: ceil(log2(deck) x hand). */
export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(Math.log2(deckSize) * handSize);
}

/** The 64-bit hash of a flow (flow schema name + distinguisher), as kube-apiserver computes it. */
export function hashFlowId(flowSchemaName: string, distinguisher: string): bigint {
  const digest = createHash("sha256").update(flowSchemaName).update("\u0000").update(distinguisher).digest();
  return digest.readBigUInt64LE(0);
}

/** Deals hands of distinct cards (queue indices) from a hash value; pure and deterministic. */
export class Dealer {
  readonly deckSize: number;
  readonly handSize: number;
  private readonly divisors: bigint[];

  constructor(deckSize: number, handSize: number) {
    if (!(Number.isSafeInteger(deckSize) && Number.isSafeInteger(handSize) && deckSize > 0 && handSize > 0)) {
      throw new RangeError(`shuffle sharding: deckSize ${deckSize} and handSize ${handSize} must be positive integers`);
    }
    if (handSize > deckSize) throw new RangeError(`shuffle sharding: handSize ${handSize} > deckSize ${deckSize}`);
    if (deckSize > 2 ** 26) throw new RangeError(`shuffle sharding: deckSize ${deckSize} is impractically large`);
    if (requiredEntropyBits(deckSize, handSize) > MAX_HASH_BITS) {
      throw new RangeError(`shuffle sharding: deckSize ${deckSize} and handSize ${handSize} need more than 60 bits`);
    }
    this.deckSize = deckSize;
    this.handSize = handSize;
    this.divisors = Array.from({ length: handSize }, (_, i) => BigInt(deckSize - i));
  }

  /**
   * The hand for `hashValue` (an unsigned 64-bit integer), in deal order. Mixed-radix digits
   * of the hash (radix deck, deck-1, ...) are turned into distinct cards by skipping the cards
   * already dealt, exactly as upstream's Deal does.
   */
  deal(hashValue: bigint, hand: Int32Array = new Int32Array(this.handSize)): Int32Array {
    const n = this.handSize;
    const remainders = new Int32Array(n);
    let h = BigInt.asUintN(64, hashValue);
    for (let i = 0; i < n; i++) {
      const d = this.divisors[i] as bigint;
      const next = h / d;
      remainders[i] = Number(h - d * next);
      h = next;
    }
    for (let i = 0; i < n; i++) {
      let card = remainders[i] as number;
      for (let j = i; j > 0; j--) {
        if (card >= (remainders[j - 1] as number)) card++;
      }
      hand[i] = card;
    }
    return hand;
  }
}
