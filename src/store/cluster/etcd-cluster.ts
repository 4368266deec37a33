import { Actor } from "../../engine/actor.js";
import type { Rng } from "../../engine/rng.js";
import type { EventId, Simulation } from "../../engine/simulation.js";
import { PeriodicTimer } from "../../engine/timer.js";
import { Errors, EtcdError } from "../errors.js";
import { type MvccOptions, MvccStore } from "../kv-store.js";
import type {
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseRevokeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchResponse,
} from "../types.js";
import { WatchHub } from "../watch/hub.js";
import type { StreamOptions, WatchStream } from "../watch/stream.js";
import { GroupCommitDisk } from "./group-commit.js";
import { defaultEtcdLatency, type EtcdLatency } from "./latency.js";

/** Where the etcd members run relative to their clients (kubeadm's two HA layouts). */
export type EtcdTopology = "stacked" | "external";

export interface EtcdClusterOptions<V> {
  /** 1, 3 or 5 members. */
  members?: 1 | 3 | 5;
  /**
   * "stacked": member i runs on control-plane node i beside kube-apiserver i, which talks only
   * to it over loopback. "external": members on their own hosts; each client talks to one
   * member over the network and fails over to another when it goes down.
   */
  topology?: EtcdTopology;
  latency?: Partial<EtcdLatency>;
  /** --election-timeout, ms (1000). */
  electionTimeoutMs?: number;
  /** --heartbeat-interval, ms (100). */
  heartbeatIntervalMs?: number;
  /** How long a request waits for a leader or a commit: etcd's ReqTimeout = 5 s + 2 x election timeout. */
  requestTimeoutMs?: number;
  /** Concurrent reads a member serves (its cores). */
  readWorkers?: number;
  /** Store options (codec, compat, key encoding...); clock and raftTerm are supplied by the cluster. */
  store?: Omit<MvccOptions<V>, "clock" | "raftTerm" | "electionTimeoutMs">;
  /** Watch progress notification interval, ms (etcd default 10 min). */
  progressNotifyIntervalMs?: number;
}

export type Callback<T> = (result: T | EtcdError) => void;

/** Counters of the cluster model. */
export interface EtcdClusterStats {
  proposals: number;
  commits: number;
  elections: number;
  leaderChanges: number;
  failedRequests: number;
  readIndexRounds: number;
}

interface Entry {
  index: number;
  /** Runs the request against the store (on the first apply) and returns the response. */
  exec: () => unknown;
  /** Response (or error) once executed. */
  outcome: unknown;
  executed: boolean;
  /** Apply cost in µs, fixed on first execution. */
  cost: number;
  receiver: number;
  cb: Callback<unknown> | undefined;
  timeout: EventId;
}

interface Member {
  readonly index: number;
  up: boolean;
  readonly disk: GroupCommitDisk;
  /** Highest log index durable on this member's disk (the leader's matchIndex for it). */
  match: number;
  applied: number;
  applyQueue: number[];
  applyBusy: boolean;
  readsBusy: number;
  readQueue: (() => void)[];
  /** Reads waiting for `applied` to reach an index (ReadIndex). */
  readWaiters: { index: number; run: () => void }[];
  streams: Set<WatchStream<unknown>>;
}

const LEASE_CHECK_US = 500_000; // lessor expiry check interval (etcd.md §6)
const LEASE_REVOKE_PER_CHECK = 500; // leaseRevokeRate 1000/s, checked every 500 ms
const WATCH_SYNC_US = 100_000; // syncWatchersLoop
const VICTIM_RETRY_US = 10_000; // syncVictimsLoop

/**
 * An etcd cluster on the virtual clock. One MvccStore holds the replicated state (every member
 * applies the same log); the cluster adds what makes it cost time: a write is committed when
 * the leader's WAL fsync and the fastest quorum of followers' round trip plus fsync are done
 * (fsyncs are group-committed, so load batches them), each member applies entries one at a
 * time, linearizable reads pay a ReadIndex round, serializable reads are served locally, and
 * a lost leader costs a randomised election timeout during which writes wait.
 */
export class EtcdCluster<V = string> extends Actor {
  readonly store: MvccStore<V>;
  readonly hub: WatchHub<V>;
  readonly topology: EtcdTopology;
  readonly stats: EtcdClusterStats = {
    proposals: 0,
    commits: 0,
    elections: 0,
    leaderChanges: 0,
    failedRequests: 0,
    readIndexRounds: 0,
  };
  private readonly lat: EtcdLatency;
  private readonly members: Member[];
  private readonly electionUs: number;
  private readonly requestTimeoutUs: number;
  private readonly readWorkers: number;
  private readonly net: Rng;
  private readonly electionRng: Rng;
  private readonly diskRng: Rng;
  private readonly cpuRng: Rng;
  private leaderIdx = -1;
  private term = 1;
  private readonly log = new Map<number, Entry>();
  private lastIndex = 0;
  private commitIndex = 0;
  private pending: Entry[] = [];
  private electionTimer: EventId = -1;
  // FIFO links: the earliest time the next message from a to b may arrive.
  private readonly linkClock = new Map<number, number>();
  private readonly revoking = new Set<number>();
  // When each recent revision was applied on the leader (ring of 2^16), for watch latency.
  private readonly commitRevs = new Float64Array(1 << 16);
  private readonly commitTimes = new Float64Array(1 << 16);
  // Watch deliveries produced by the entry being applied, sent when its apply ends.
  private applying: { extra: number; link: { last: number }; deliver: () => void }[] | undefined;

  constructor(sim: Simulation, name: string, options: EtcdClusterOptions<V> = {}) {
    super(sim, name);
    const n = options.members ?? 3;
    if (![1, 3, 5].includes(n)) throw new RangeError(`etcd cluster ${name}: members must be 1, 3 or 5`);
    this.topology = options.topology ?? "stacked";
    this.lat = { ...defaultEtcdLatency(), ...options.latency };
    const electionMs = options.electionTimeoutMs ?? 1000;
    this.electionUs = electionMs * 1000;
    this.requestTimeoutUs = (options.requestTimeoutMs ?? 5000 + 2 * electionMs) * 1000;
    this.readWorkers = options.readWorkers ?? 8;
    this.net = this.rng("network");
    this.electionRng = this.rng("election");
    this.diskRng = this.rng("disk");
    this.cpuRng = this.rng("cpu");
    this.store = new MvccStore<V>({
      ...options.store,
      clock: { now: () => this.sim.now },
      raftTerm: () => this.term,
      electionTimeoutMs: electionMs,
    });
    this.hub = new WatchHub<V>(this.store, { sync: "manual" });
    this.store.listen({
      committed: (rev) => {
        const i = rev & 0xffff;
        this.commitRevs[i] = rev;
        this.commitTimes[i] = this.sim.now;
      },
      compacted: () => {},
    });
    this.members = Array.from({ length: n }, (_, index) => ({
      index,
      up: true,
      disk: new GroupCommitDisk(sim, this.lat.walFsync, this.diskRng),
      match: 0,
      applied: 0,
      applyQueue: [],
      applyBusy: false,
      readsBusy: 0,
      readQueue: [],
      readWaiters: [],
      streams: new Set(),
    }));
    // Member 0 leads at start (a settled cluster).
    this.leaderIdx = 0;
    new PeriodicTimer(sim, { period: LEASE_CHECK_US, immediate: false }, () => this.expireLeases()).start();
    new PeriodicTimer(sim, { period: WATCH_SYNC_US, immediate: false }, () => {
      this.hub.syncRound();
      return undefined;
    }).start();
    new PeriodicTimer(sim, { period: VICTIM_RETRY_US, immediate: false }, () => {
      if (this.hub.hasBacklog()) this.hub.moveVictims();
      return undefined;
    }).start();
    const progressUs = (options.progressNotifyIntervalMs ?? 600_000) * 1000;
    new PeriodicTimer(sim, { period: progressUs, immediate: false }, () => {
      this.hub.progressTick();
      return undefined;
    }).start();
  }

  /** Virtual time revision `rev` was applied (recent revisions only; 0 if unknown). */
  commitTime(rev: number): number {
    const i = rev & 0xffff;
    return this.commitRevs[i] === rev ? (this.commitTimes[i] as number) : 0;
  }

  /** Index of the current leader, or -1 during an election or without quorum. */
  get leader(): number {
    return this.leaderIdx;
  }

  /** Current raft term. */
  get raftTerm(): number {
    return this.term;
  }

  get size(): number {
    return this.members.length;
  }

  /** True if member i is running. */
  isUp(i: number): boolean {
    return this.members[i]?.up === true;
  }

  /** Fsyncs performed by member i and the entries they covered (group-commit batching). */
  diskStats(i: number): { syncs: number; entries: number } {
    const d = (this.members[i] as Member).disk;
    return { syncs: d.syncs, entries: d.entries };
  }

  // ------------------------------------------------------------------ client API

  /** Range; linearizable by default (ReadIndex), or serializable (local). `client` picks the member. */
  range(req: RangeRequest, client: number, cb: Callback<RangeResponse<V>>): void {
    const m = this.memberFor(client);
    this.toMember(client, m, () => {
      if (!m.up) {
        this.fail(cb, "unavailable");
        return;
      }
      if (req.serializable) this.serveRead(m, req, client, cb);
      else this.readIndex(m, () => this.serveRead(m, req, client, cb), cb as Callback<unknown>);
    });
  }

  /** Put through raft. */
  put(req: PutRequest<V>, client: number, cb: Callback<PutResponse<V>>): void {
    this.write(client, () => this.store.put(req), cb as Callback<unknown>);
  }

  /** DeleteRange through raft. */
  deleteRange(req: DeleteRangeRequest, client: number, cb: Callback<DeleteRangeResponse<V>>): void {
    this.write(client, () => this.store.deleteRange(req), cb as Callback<unknown>);
  }

  /** Txn through raft (a read-only txn still goes through raft in etcd unless serializable). */
  txn(req: TxnRequest<V>, client: number, cb: Callback<TxnResponse<V>>): void {
    this.write(client, () => this.store.txn(req), cb as Callback<unknown>);
  }

  /**
   * Any store operation through raft: `exec` runs on the store when the entry is first
   * applied, so it sees the state at that point in the log (kube-apiserver uses this to stamp
   * the revision the write will get into the object it stores).
   */
  propose<T>(client: number, exec: (store: MvccStore<V>) => T, cb: Callback<T>): void {
    this.write(client, () => exec(this.store), cb as Callback<unknown>);
  }

  /** Compaction through raft. */
  compact(req: CompactionRequest, client: number, cb: Callback<CompactionResponse>): void {
    this.write(client, () => this.store.compact(req), cb as Callback<unknown>);
  }

  leaseGrant(req: LeaseGrantRequest, client: number, cb: Callback<LeaseGrantResponse>): void {
    this.write(client, () => this.store.leaseGrant(req), cb as Callback<unknown>);
  }

  leaseRevoke(id: number, client: number, cb: Callback<LeaseRevokeResponse>): void {
    this.write(client, () => this.store.leaseRevoke(id), cb as Callback<unknown>);
  }

  /** Keep-alive goes to the leader's lessor, not through raft. */
  leaseKeepAlive(id: number, client: number, cb: Callback<LeaseKeepAliveResponse>): void {
    const m = this.memberFor(client);
    this.toMember(client, m, () => {
      const leader = this.members[this.leaderIdx];
      if (!m.up || leader === undefined) {
        this.fail(cb, m.up ? "noLeader" : "unavailable");
        return;
      }
      const atLeader = () => {
        const res = this.attempt(() => this.store.leaseKeepAlive(id));
        if (m.index === leader.index) this.toClient(client, m, () => cb(res as LeaseKeepAliveResponse | EtcdError));
        else
          this.peer(leader.index, m.index, () =>
            this.toClient(client, m, () => cb(res as LeaseKeepAliveResponse | EtcdError)),
          );
      };
      if (m.index === leader.index) atLeader();
      else this.peer(m.index, leader.index, atLeader);
    });
  }

  /**
   * Opens a watch stream on the member that serves `client`. Responses reach the sink after
   * the member-to-client delay, in order. If the member stops, `onBroken` is called and the
   * client must re-watch (from its last revision, or relist after compaction).
   */
  openWatchStream(
    client: number,
    sink: (resp: WatchResponse<V>) => void,
    onBroken: () => void,
    options?: StreamOptions,
  ): WatchStream<V> {
    const m = this.memberFor(client);
    const link = { last: 0 };
    const stream = this.hub.openStream((resp) => {
      if (!m.up) return;
      const lag = m.index === this.leaderIdx ? 0 : this.oneWay(this.lat.peerRtt);
      const send = {
        extra: lag + this.oneWay(this.clientRttFor(client, m)),
        link,
        deliver: () => {
          if (!stream.closed) sink(resp);
        },
      };
      // Responses made while an entry is applied leave when the apply ends (etcd notifies
      // watchers at the end of the write txn).
      if (this.applying !== undefined) this.applying.push(send);
      else this.schedule(send, 0);
    }, options);
    (stream as WatchStream<unknown> & { onBroken?: () => void }).onBroken = onBroken;
    if (!m.up) {
      // Connection refused: the stream is dead from the start and the client hears so.
      stream.close();
      this.sim.after(this.oneWay(this.clientRttFor(client, m)) * 2, onBroken);
      return stream;
    }
    m.streams.add(stream as WatchStream<unknown>);
    return stream;
  }

  // ------------------------------------------------------------------ faults

  /** Stops member i (crash): its disk, applies, reads and watch streams are lost. */
  stopMember(i: number): void {
    const m = this.members[i];
    if (m === undefined || !m.up) return;
    m.up = false;
    m.disk.crash();
    m.applyQueue = [];
    m.readQueue = [];
    m.readWaiters = [];
    for (const s of m.streams) {
      s.close();
      (s as WatchStream<unknown> & { onBroken?: () => void }).onBroken?.();
    }
    m.streams.clear();
    for (const e of this.log.values()) {
      if (e.receiver === i && e.cb !== undefined) this.finish(e, this.error("unavailable"));
    }
    if (i === this.leaderIdx) {
      this.leaderIdx = -1;
      this.stats.leaderChanges++;
      this.scheduleElection();
    } else if (this.leaderIdx >= 0 && !this.hasQuorum()) {
      // CheckQuorum: a leader that cannot reach a quorum steps down after an election timeout.
      const t = this.term;
      this.sim.after(this.electionUs, () => {
        if (this.term === t && this.leaderIdx >= 0 && !this.hasQuorum()) {
          this.leaderIdx = -1;
          this.stats.leaderChanges++;
          this.scheduleElection();
        }
      });
    }
  }

  /** Restarts member i; it catches up from the leader (snapshot cost not modelled). */
  startMember(i: number): void {
    const m = this.members[i];
    if (m === undefined || m.up) return;
    m.up = true;
    m.disk.restart();
    m.match = this.commitIndex;
    m.applied = this.commitIndex;
    if (this.leaderIdx < 0) this.scheduleElection();
    else this.replicateTail(m);
  }

  // ------------------------------------------------------------------ raft

  private write(client: number, exec: () => unknown, cb: Callback<unknown>): void {
    const m = this.memberFor(client);
    this.toMember(client, m, () => {
      if (!m.up) {
        this.fail(cb, "unavailable");
        return;
      }
      const e: Entry = {
        index: 0,
        exec,
        outcome: undefined,
        executed: false,
        cost: 0,
        receiver: m.index,
        cb,
        timeout: -1,
      };
      e.timeout = this.sim.after(this.requestTimeoutUs, () => {
        if (e.cb !== undefined) this.finish(e, Errors.timeout());
      });
      this.stats.proposals++;
      if (this.leaderIdx < 0) this.pending.push(e);
      else if (m.index === this.leaderIdx) this.append(e);
      else this.peer(m.index, this.leaderIdx, () => (this.leaderIdx < 0 ? this.pending.push(e) : this.append(e)));
    });
  }

  // The leader appends to its log and WAL and replicates to the followers.
  private append(e: Entry): void {
    e.index = ++this.lastIndex;
    this.log.set(e.index, e);
    const leader = this.members[this.leaderIdx] as Member;
    const term = this.term;
    leader.disk.append(() => {
      if (term !== this.term) return;
      leader.match = Math.max(leader.match, e.index);
      this.maybeCommit();
    });
    for (const f of this.members) if (f !== leader && f.up) this.replicate(f, e.index, term);
  }

  private replicate(f: Member, index: number, term: number): void {
    const leaderIdx = this.leaderIdx;
    this.peer(leaderIdx, f.index, () => {
      if (!f.up || term !== this.term) return;
      f.disk.append(() => {
        this.peer(f.index, leaderIdx, () => {
          // The leader that asked may have crashed or stepped down since (same term, no
          // leader yet): its acknowledgements are lost with it.
          if (term !== this.term || this.leaderIdx !== leaderIdx) return;
          f.match = Math.max(f.match, index);
          this.maybeCommit();
        });
      });
    });
  }

  private replicateTail(f: Member): void {
    for (let i = this.commitIndex + 1; i <= this.lastIndex; i++) this.replicate(f, i, this.term);
  }

  // Commit index = the highest index durable on a quorum (leader included).
  private maybeCommit(): void {
    // Only a leader advances the commit index (a new one commits what a quorum holds).
    if (this.leaderIdx < 0) return;
    const matches = this.members.filter((m) => m.up).map((m) => m.match);
    matches.sort((a, b) => b - a);
    const q = this.quorum();
    if (matches.length < q) return;
    const newCommit = matches[q - 1] as number;
    if (newCommit <= this.commitIndex) return;
    for (let i = this.commitIndex + 1; i <= newCommit; i++) {
      this.stats.commits++;
      const leader = this.members[this.leaderIdx] as Member;
      this.enqueueApply(leader, i);
      for (const f of this.members) {
        if (f === leader || !f.up) continue;
        // Followers learn the commit index with the next append/heartbeat.
        this.peer(leader.index, f.index, () => {
          if (f.up) this.enqueueApply(f, i);
        });
      }
    }
    this.commitIndex = newCommit;
  }

  private enqueueApply(m: Member, index: number): void {
    m.applyQueue.push(index);
    if (!m.applyBusy) this.nextApply(m);
  }

  // Members apply one entry at a time, in log order; the first apply executes it on the store.
  private nextApply(m: Member): void {
    const index = m.applyQueue.shift();
    if (index === undefined) {
      m.applyBusy = false;
      return;
    }
    m.applyBusy = true;
    const e = this.log.get(index);
    if (e !== undefined && !e.executed) {
      e.executed = true;
      this.applying = [];
      e.outcome = this.attempt(e.exec);
      e.cost = this.lat.apply.sampleInt(this.cpuRng) + Math.round(this.lat.applyPerChangeUs * changesOf(e.outcome));
      const sends = this.applying;
      this.applying = undefined;
      for (const send of sends) this.schedule(send, e.cost);
    }
    const cost = e?.cost ?? this.lat.apply.sampleInt(this.cpuRng);
    this.sim.after(cost, () => {
      if (!m.up) return;
      m.applied = Math.max(m.applied, index);
      if (e !== undefined && e.receiver === m.index && e.cb !== undefined) {
        const outcome = e.outcome;
        this.toClient(-1, m, () => this.finish(e, outcome));
      }
      this.releaseReads(m);
      this.gc(index);
      this.nextApply(m);
    });
  }

  // Drop entries every up member has applied.
  private gc(index: number): void {
    for (const m of this.members) if (m.up && m.applied < index) return;
    const e = this.log.get(index);
    if (e !== undefined && e.cb === undefined) this.log.delete(index);
  }

  private finish(e: Entry, outcome: unknown): void {
    const cb = e.cb;
    if (cb === undefined) return;
    e.cb = undefined;
    this.sim.cancel(e.timeout);
    if (outcome instanceof EtcdError) this.stats.failedRequests++;
    cb(outcome);
  }

  private scheduleElection(): void {
    if (this.sim.isPending(this.electionTimer)) return;
    // Randomised election timeout in [ET, 2ET): the first follower to time out campaigns.
    const wait = this.electionUs + Math.floor(this.electionRng.next() * this.electionUs);
    this.electionTimer = this.sim.after(wait, () => this.campaign());
  }

  private campaign(): void {
    this.stats.elections++;
    if (!this.hasQuorum()) {
      this.scheduleElection();
      return;
    }
    const candidate = this.members
      .filter((m) => m.up)
      .sort((a, b) => b.match - a.match || a.index - b.index)[0] as Member;
    this.term++;
    const term = this.term;
    // Vote request round trip to a quorum plus persisting the vote.
    const delay = this.quorumRtt(candidate) + this.lat.walFsync.sampleInt(this.diskRng);
    this.sim.after(delay, () => {
      if (term !== this.term || !candidate.up || !this.hasQuorum()) {
        this.scheduleElection();
        return;
      }
      this.leaderIdx = candidate.index;
      this.stats.leaderChanges++;
      // The new leader refreshes every lease's TTL, extended by an election timeout (lessor.Promote).
      this.store.lessor.promote(this.electionUs);
      for (const m of this.members) if (m !== candidate) m.match = Math.min(m.match, this.commitIndex);
      for (const m of this.members) if (m !== candidate && m.up) this.replicateTail(m);
      candidate.match = this.lastIndex;
      this.maybeCommit();
      const waiting = this.pending;
      this.pending = [];
      for (const e of waiting) if (e.cb !== undefined) this.append(e);
    });
  }

  private readIndex(m: Member, run: () => void, cb: Callback<unknown>): void {
    if (this.leaderIdx < 0) {
      // Reads wait for a leader like writes do, then retry.
      const e: Entry = {
        index: 0,
        exec: () => undefined,
        outcome: undefined,
        executed: true,
        cost: 0,
        receiver: m.index,
        cb,
        timeout: -1,
      };
      e.timeout = this.sim.after(this.requestTimeoutUs, () => this.finish(e, Errors.timeout()));
      this.waitLeader(() => {
        if (e.cb === undefined) return;
        e.cb = undefined;
        this.sim.cancel(e.timeout);
        this.readIndex(m, run, cb);
      });
      return;
    }
    this.stats.readIndexRounds++;
    const leader = this.members[this.leaderIdx] as Member;
    const readAt = this.commitIndex;
    const confirm = () => {
      // The leader confirms it still leads with a heartbeat round to a quorum.
      this.sim.after(this.quorumRtt(leader), () => {
        const ready = () => this.whenApplied(m, readAt, run);
        if (m === leader) ready();
        else this.peer(leader.index, m.index, ready);
      });
    };
    if (m === leader) confirm();
    else this.peer(m.index, leader.index, confirm);
  }

  private waitLeader(then: () => void): void {
    const check = () => (this.leaderIdx >= 0 ? then() : this.sim.after(this.electionUs / 10, check));
    this.sim.after(this.electionUs / 10, check);
  }

  private whenApplied(m: Member, index: number, run: () => void): void {
    if (m.applied >= index) run();
    else m.readWaiters.push({ index, run });
  }

  private releaseReads(m: Member): void {
    if (m.readWaiters.length === 0) return;
    const ready = m.readWaiters.filter((w) => w.index <= m.applied);
    m.readWaiters = m.readWaiters.filter((w) => w.index > m.applied);
    for (const w of ready) w.run();
  }

  // Reads run concurrently up to the member's read workers; cost follows keys walked and bytes.
  private serveRead(m: Member, req: RangeRequest, client: number, cb: Callback<RangeResponse<V>>): void {
    const go = () => {
      m.readsBusy++;
      const res = this.attempt(() => this.store.range(req)) as RangeResponse<V> | EtcdError;
      let cost = this.lat.rangeBase.sampleInt(this.cpuRng);
      if (!(res instanceof EtcdError)) {
        let bytes = 0;
        for (const kv of res.kvs) bytes += kv.key.length + this.store.codec.size(kv.value);
        cost += Math.round(this.lat.rangePerKeyUs * res.count + (this.lat.rangePerKiBUs * bytes) / 1024);
      }
      this.sim.after(cost, () => {
        m.readsBusy--;
        const next = m.readQueue.shift();
        if (next !== undefined) next();
        if (m.up) this.toClient(client, m, () => cb(res));
      });
    };
    if (m.readsBusy < this.readWorkers) go();
    else m.readQueue.push(go);
  }

  private expireLeases(): undefined {
    if (this.leaderIdx < 0) return undefined;
    const leader = this.members[this.leaderIdx] as Member;
    for (const id of this.store.lessor.expired(LEASE_REVOKE_PER_CHECK)) {
      if (this.revoking.has(id)) continue;
      this.revoking.add(id);
      // Expired leases are revoked through raft, like a client's LeaseRevoke.
      const e: Entry = {
        index: 0,
        exec: () => {
          this.revoking.delete(id);
          return this.attempt(() => this.store.leaseRevoke(id));
        },
        outcome: undefined,
        executed: false,
        cost: 0,
        receiver: leader.index,
        cb: undefined,
        timeout: -1,
      };
      this.append(e);
    }
    return undefined;
  }

  // ------------------------------------------------------------------ plumbing

  private quorum(): number {
    return Math.floor(this.members.length / 2) + 1;
  }

  private hasQuorum(): boolean {
    return this.members.filter((m) => m.up).length >= this.quorum();
  }

  // Time for a round trip to the fastest quorum of other members (0 for a single member).
  private quorumRtt(from: Member): number {
    const need = this.quorum() - 1;
    if (need === 0) return 0;
    const rtts = this.members
      .filter((m) => m !== from && m.up)
      .map(() => this.lat.peerRtt.sampleInt(this.net))
      .sort((a, b) => a - b);
    return rtts[need - 1] ?? 0;
  }

  private memberFor(client: number): Member {
    const n = this.members.length;
    const home = this.members[((client % n) + n) % n] as Member;
    if (this.topology === "stacked") return home;
    // External: the client balancer sticks to one endpoint and fails over to the next up one.
    for (let k = 0; k < n; k++) {
      const m = this.members[(home.index + k) % n] as Member;
      if (m.up) return m;
    }
    return home;
  }

  private clientRttFor(client: number, m: Member): EtcdLatency["clientRtt"] {
    const n = this.members.length;
    const local = this.topology === "stacked" && ((client % n) + n) % n === m.index;
    return local ? this.lat.localRtt : this.lat.clientRtt;
  }

  private oneWay(d: EtcdLatency["peerRtt"]): number {
    return Math.round(d.sampleInt(this.net) / 2);
  }

  private toMember(client: number, m: Member, then: () => void): void {
    this.sim.after(this.oneWay(this.clientRttFor(client, m)), then);
  }

  private toClient(client: number, m: Member, then: () => void): void {
    const rtt =
      client < 0
        ? this.topology === "stacked"
          ? this.lat.localRtt
          : this.lat.clientRtt
        : this.clientRttFor(client, m);
    this.sim.after(this.oneWay(rtt), then);
  }

  // Member-to-member message, delivered in order on each link (a TCP stream).
  private peer(from: number, to: number, then: () => void): void {
    const key = from * 8 + to;
    const at = Math.max(this.linkClock.get(key) ?? 0, this.sim.now + this.oneWay(this.lat.peerRtt));
    this.linkClock.set(key, at);
    this.sim.at(at, then);
  }

  // Sends a watch response `after + extra` µs from now, keeping the stream's order.
  private schedule(send: { extra: number; link: { last: number }; deliver: () => void }, after: number): void {
    const at = Math.max(send.link.last, this.sim.now + after + send.extra);
    send.link.last = at;
    this.sim.at(at, send.deliver);
  }

  private attempt(f: () => unknown): unknown {
    try {
      return f();
    } catch (e) {
      if (e instanceof EtcdError) return e;
      throw e;
    }
  }

  private error(kind: "unavailable" | "noLeader"): EtcdError {
    return kind === "noLeader"
      ? Errors.noLeader()
      : new EtcdError("Unavailable", "etcdserver: connection to member lost");
  }

  private fail<T>(cb: Callback<T>, kind: "unavailable" | "noLeader"): void {
    this.stats.failedRequests++;
    this.sim.after(0, () => cb(this.error(kind)));
  }
}

// Keys a response changed, for the per-change apply cost.
function changesOf(outcome: unknown): number {
  if (outcome === null || typeof outcome !== "object") return 0;
  const o = outcome as { deleted?: number; responses?: unknown[] };
  if (typeof o.deleted === "number") return o.deleted;
  if (Array.isArray(o.responses))
    return o.responses.reduce<number>((n, r) => n + Math.max(1, changesOf(Object.values(r as object)[0])), 0);
  return 1;
}
