import type { Clock } from "./clock.js";
import { Errors } from "./errors.js";

/** A granted lease. */
export interface Lease {
  readonly id: number;
  /** Granted TTL in seconds (after the minimum is applied). */
  readonly ttl: number;
  /** Virtual time (µs) when it expires unless renewed. */
  expiry: number;
  /** Byte keys attached to it. */
  readonly keys: Set<string>;
}

/** Largest TTL etcd accepts (lease.MaxLeaseTTL). */
export const MAX_LEASE_TTL = 9_000_000_000;

/**
 * The lease table (etcd's lessor) on a virtual clock: grant, renew, look up, attach and detach
 * keys, and find expired leases. Deleting keys of a revoked lease is the store's job, since it
 * must happen in one write transaction.
 */
export class Lessor {
  private readonly leases = new Map<number, Lease>();
  private readonly clock: Clock;
  /** Minimum TTL in seconds: ceil(1.5 x election timeout), 2 s with the 1 s default. */
  readonly minTtl: number;
  private nextId: number;

  constructor(clock: Clock, electionTimeoutMs: number, firstId: number) {
    this.clock = clock;
    // etcd: minTTL = ceil((3 * electionTicks / 2) * heartbeat) in seconds (etcd.md §6).
    this.minTtl = Math.ceil((1.5 * electionTimeoutMs) / 1000);
    this.nextId = firstId;
  }

  /** Creates a lease; id 0 picks the next free id (deterministic, unlike etcd's time-based ids). */
  grant(ttl: number, id = 0): Lease {
    if (ttl > MAX_LEASE_TTL) throw Errors.leaseTtlTooLarge();
    let leaseId = id;
    if (leaseId === 0) {
      while (this.leases.has(this.nextId)) this.nextId++;
      leaseId = this.nextId++;
    } else if (this.leases.has(leaseId)) {
      throw Errors.leaseExists();
    }
    const granted = Math.max(ttl, this.minTtl);
    const lease: Lease = { id: leaseId, ttl: granted, expiry: this.clock.now() + granted * 1e6, keys: new Set() };
    this.leases.set(leaseId, lease);
    return lease;
  }

  /** The lease, if it exists. */
  get(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  /** Resets a lease's remaining time to its TTL; returns the TTL. */
  renew(id: number): number {
    const l = this.leases.get(id);
    if (l === undefined) throw Errors.leaseNotFound();
    l.expiry = this.clock.now() + l.ttl * 1e6;
    return l.ttl;
  }

  /** Removes a lease from the table (its keys must already be deleted). */
  remove(id: number): void {
    this.leases.delete(id);
  }

  /** Remaining whole seconds (Go truncates the float seconds), never below 0. */
  remaining(l: Lease): number {
    return Math.max(0, Math.trunc((l.expiry - this.clock.now()) / 1e6));
  }

  attach(id: number, bkey: string): void {
    this.leases.get(id)?.keys.add(bkey);
  }

  detach(id: number, bkey: string): void {
    this.leases.get(id)?.keys.delete(bkey);
  }

  /** Leases past their expiry, soonest first (ties by id), at most `limit`. */
  expired(limit: number): number[] {
    const now = this.clock.now();
    const out: Lease[] = [];
    for (const l of this.leases.values()) if (l.expiry <= now) out.push(l);
    out.sort((a, b) => a.expiry - b.expiry || a.id - b.id);
    return out.slice(0, limit).map((l) => l.id);
  }

  /** Refreshes every lease to its full TTL (plus `extendUs`), as a newly elected leader does. */
  promote(extendUs = 0): void {
    const now = this.clock.now();
    for (const l of this.leases.values()) l.expiry = now + l.ttl * 1e6 + extendUs;
  }

  /** Lease ids in ascending order. */
  ids(): number[] {
    return [...this.leases.keys()].sort((a, b) => a - b);
  }

  get size(): number {
    return this.leases.size;
  }
}
