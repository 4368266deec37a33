import seedrandom from "seedrandom";

/**
 * One named, seeded random stream. Built on seedrandom's Alea generator, which js-perf.md
 * measured at ~140 M draws/s (5x the default ARC4) with adequate quality for simulation.
 */
export class Rng {
  readonly name: string;
  private readonly prng: seedrandom.PRNG;

  constructor(seed: string | number, name: string) {
    this.name = name;
    // The stream's seed is derived from (scenario seed, stream name) alone, so adding a stream
    // never shifts another stream's draws. A NUL separator keeps ("a","bc") != ("ab","c").
    this.prng = seedrandom.alea(`kubesim\u0000${String(seed)}\u0000${name}`);
  }

  /** Uniform float in [0, 1) with 53 bits of resolution. */
  next(): number {
    return this.prng.double();
  }

  /** Uniform float in (0, 1]: safe for logarithms. */
  nextOpen(): number {
    return 1 - this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** True with probability p. */
  bool(p: number): boolean {
    return this.prng.double() < p;
  }
}
