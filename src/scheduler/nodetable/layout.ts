/**
 * Layout of the struct-of-arrays node table and of the per-pod program, shared by the main
 * thread and the worker threads (this module imports nothing, so workers load only plain code).
 *
 * Node rows live in SharedArrayBuffers, one row per slot:
 * - `num`: Float64Array, NUM_STRIDE doubles per slot (resources in scheduler units, exact
 *   integers below 2^53);
 * - `ints`: Int32Array, INT_STRIDE ints per slot (flags and interned ids);
 * - `labels`: Int32Array, `keyCap` ints per slot: the per-key interned value id, 0 = absent;
 * - `scal`: Float64Array, 2·`scalarCap` doubles per slot: allocatable and requested of each
 *   scalar (extended / hugepages) resource.
 * The scan order (upstream's zone-interleaved node list) is `order`, a list of slots.
 */

export const NUM_STRIDE = 16;
// The eight columns a basic filter + score pass reads come first: one 64-byte cache line per
// node (rows are 128-byte aligned), so a full scan streams half the memory.
export const N_ALLOC_CPU = 0;
export const N_ALLOC_MEM = 1;
export const N_NZ_CPU = 2;
export const N_NZ_MEM = 3;
export const N_REQ_CPU = 4;
export const N_REQ_MEM = 5;
export const N_ALLOC_PODS = 6;
export const N_POD_COUNT = 7;
export const N_ALLOC_EPH = 8;
export const N_REQ_EPH = 9;
/** Highest priority among pods nominated to this node (valid when I_NOM_COUNT > 0). */
export const N_NOM_PRIO = 10;
/** ImageLocality: the pod's summed image scores on this node (valid when I_IMG_STAMP matches). */
export const N_IMG_SUM = 11;
/** 1 / allocatable cpu and memory (0 when it is 0), for exact divisions by multiplication. */
export const N_INV_CPU = 12;
export const N_INV_MEM = 13;

export const INT_STRIDE = 8;
export const I_ALIVE = 0;
export const I_UNSCHED = 1;
export const I_TAINTSET = 2;
export const I_NOM_COUNT = 3;
export const I_PORT_STAMP = 4;
export const I_IMG_STAMP = 5;

/** Header Int32Array (its own SAB): sizes the workers read before every task. */
export const H_VERSION = 0;
export const H_CAP = 1;
export const H_KEYCAP = 2;
export const H_SCALARCAP = 3;
export const H_ORDER_LEN = 4;
export const H_SIZE = 8;

// ---------------------------------------------------------------------------------------------
// Plugin codes used in programs and packed filter results.

export const C_NODE_UNSCHEDULABLE = 1;
export const C_NODE_NAME = 2;
export const C_TAINT_TOLERATION = 3;
export const C_NODE_AFFINITY = 4;
export const C_NODE_PORTS = 5;
export const C_FIT = 6;
export const C_SPREAD = 7;
export const C_INTER_POD_AFFINITY = 8;
export const C_BALANCED = 9;
export const C_IMAGE_LOCALITY = 10;
export const C_VOLUME_RESTRICTIONS = 11;
export const C_NODE_VOLUME_LIMITS = 12;
export const C_VOLUME_BINDING = 13;
export const C_VOLUME_ZONE = 14;
export const MAX_CODE = 15;

// Packed filter result: (code << 24) | (status << 20) | reason, 0 = success.
export const STATUS_SHIFT = 20;
export const CODE_SHIFT = 24;
export const REASON_MASK = (1 << STATUS_SHIFT) - 1;
export const ST_UNSCHEDULABLE = 2;
export const ST_UNRESOLVABLE = 3;
/** The node has nominated pods of equal or higher priority: the main thread evaluates it. */
export const ST_DEFERRED = 7;
export const DEFERRED = ST_DEFERRED << STATUS_SHIFT;
/**
 * A fused pass found the node infeasible but left its packed failure for later: the failure is
 * only needed when no node fits (the scheduler's Diagnosis), so `failureOf` computes it then.
 * Above every packed result (codes stay below 16).
 */
export const FAIL_PENDING = 0x7fffffff;

// ---------------------------------------------------------------------------------------------
// Program header (Int32 words at the start of the program's int arena).

export const P_NFILTER = 0;
export const P_FILTER = 1; // 16 codes
export const P_NSCORE = 17;
export const P_SCORE = 18; // 16 codes
export const P_FBASE = 34; // MAX_CODE bases of filter sections
export const P_SBASE = 50; // MAX_CODE bases of score sections
export const P_PRIORITY = 66;
export const P_HEADER = 128;

// Node-selector section: [selReqs, (kind, key, arg)*selReqs, affinityPresent, nTerms,
// (nReqs, (kind, key, arg)*nReqs)*nTerms]. Requirement kinds:
export const RK_TABLE = 0; // truth table over the key's value ids at int offset `arg`
export const RK_NAME_EQ = 1; // slot === arg
export const RK_NAME_NE = 2; // slot !== arg
export const RK_TRUE = 3;
export const RK_FALSE = 4;

// ---------------------------------------------------------------------------------------------
// Selection summary of a fused pass (one region of SEL_REGION doubles per shard), so that
// selectHost's reservoir sampling can be replayed in scan order without walking every node:
// the pass records the levels of the running maximum of the totals (without TaintToleration,
// whose normalized score is the same for every node when no feasible node has an untolerated
// PreferNoSchedule taint) and the positions of the last level's nodes.

export const SEL_FEASIBLE = 0;
/** Largest TaintToleration raw score seen (its normalization needs the maximum). */
export const SEL_MAX_TAINT = 1;
/** Completed levels stored at SEL_LEVELS as (total, count) pairs. */
export const SEL_NLEVELS = 2;
/** 1 when the levels did not fit: merge the full results (ties beyond SEL_MAX_FINAL only lose their positions). */
export const SEL_OVERFLOW = 3;
/** The current (last) level: its total and how many nodes reached it. */
export const SEL_BEST = 4;
export const SEL_COUNT = 5;
export const SEL_LEVELS = 8;
export const SEL_MAX_LEVELS = 256;
/** Positions (feasible index, or scan position for a sharded pass) of the last level's nodes. */
export const SEL_FINAL = SEL_LEVELS + 2 * SEL_MAX_LEVELS;
export const SEL_MAX_FINAL = 1024;
export const SEL_REGION = SEL_FINAL + SEL_MAX_FINAL;
