/**
 * Object sizes, which request costs and watch traffic depend on.
 *
 * `jsonSize` is exact: the UTF-8 byte length of `JSON.stringify(value)`, computed by walking
 * the value without building the string (same escaping, same omission of undefined/function
 * members, `toJSON` honoured, lone surrogates escaped as \uXXXX).
 *
 * `storageSize` estimates what kube-apiserver writes to etcd for built-in kinds: the
 * protobuf encoding (`--storage-media-type` defaults to application/vnd.kubernetes.protobuf)
 * wrapped in the runtime envelope (k8s.io/apimachinery/pkg/runtime/serializer/protobuf):
 * 4 magic bytes "k8s\0" and a `runtime.Unknown` {typeMeta{apiVersion, kind}, raw, "", ""}.
 * We have no Go toolchain here to marshal real objects, so instead of a flat JSON→protobuf
 * ratio the estimate applies the protobuf wire format to the object's structure:
 * - every field costs a tag (1 byte; 2 for the field numbers ≥ 16 in HIGH_FIELDS, taken from
 *   k8s.io/api/core/v1/generated.proto) plus, for strings and messages, a varint length;
 * - strings cost their UTF-8 bytes (no quotes or escapes), integers a varint (10 bytes if
 *   negative), booleans 1 byte, floats 8;
 * - timestamps (metav1.Time / MicroTime) are Timestamp messages {seconds, nanos}: 8 bytes
 *   with a tag instead of a 20–27 character string;
 * - maps (labels, annotations, nodeSelector, resource lists) are repeated entry messages
 *   {key=1, value=2}; resource-list values are `Quantity` messages {string=1};
 *   IntOrString (maxSurge, targetPort) is a message {type, intVal, strVal};
 * - JSON leaves out empty fields (omitempty) but gogo-generated marshalling writes every
 *   non-pointer string/int/bool field and nested struct; IMPLICIT_BYTES adds an allowance
 *   for those per message kind (2 bytes per such field, counted from the Go types).
 * What the estimate does not know (exact field numbers outside HIGH_FIELDS, zero-valued
 * fields it did not count, null vs empty) is worth a few percent. `DEFAULT_STORAGE_RATIO`
 * records the protobuf/JSON ratio this model gives on typical objects (see test/api), for
 * callers that only have a JSON size.
 */

// ---------------------------------------------------------------------------------------------
// JSON

function utf8JsonStringBytes(s: string): number {
  let n = 2; // quotes
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20) n += c === 0x22 || c === 0x5c ? 2 : 1;
      else n += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 6; // lone high surrogate: \udXXX
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      n += 6; // lone low surrogate
    } else {
      n += 3;
    }
  }
  return n;
}

/**
 * Objects on the current path, for cycle detection. Checked only beyond CYCLE_CHECK_DEPTH:
 * API objects are shallow, and a cycle always drives the depth past that point.
 */
const path: object[] = [];
const CYCLE_CHECK_DEPTH = 32;

/** Bytes of one value, or -1 when JSON.stringify would omit it (undefined, function, symbol). */
function jsonValueSize(value: unknown, key: string | number): number {
  let v = value;
  if (v !== null && typeof v === "object") {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") v = (toJSON as (k: string) => unknown).call(v, String(key));
  }
  switch (typeof v) {
    case "string":
      return utf8JsonStringBytes(v);
    case "number":
      return Number.isFinite(v) ? String(v).length : 4;
    case "boolean":
      return v ? 4 : 5;
    case "undefined":
    case "function":
    case "symbol":
      return -1;
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
  }
  if (v === null) return 4;
  const obj = v as object;
  if (obj instanceof Number) return jsonValueSize(Number(obj), key);
  if (obj instanceof String) return utf8JsonStringBytes(String(obj));
  if (obj instanceof Boolean) return obj.valueOf() ? 4 : 5;
  if (path.length >= CYCLE_CHECK_DEPTH && path.includes(obj))
    throw new TypeError("Converting circular structure to JSON");
  path.push(obj);
  let n = 2;
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) n++;
      const s = jsonValueSize(obj[i], i);
      n += s < 0 ? 4 : s;
    }
  } else {
    let first = true;
    const rec = obj as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const s = jsonValueSize(rec[k], k);
      if (s < 0) continue;
      if (!first) n++;
      first = false;
      n += utf8JsonStringBytes(k) + 1 + s;
    }
  }
  path.pop();
  return n;
}

/** UTF-8 byte length of `JSON.stringify(value)` without building the string (0 when it gives undefined). */
export function jsonSize(value: unknown): number {
  path.length = 0;
  const n = jsonValueSize(value, "");
  return n < 0 ? 0 : n;
}

// ---------------------------------------------------------------------------------------------
// Protobuf estimate

/** Bytes of a protobuf varint. */
export function varintSize(v: number): number {
  if (v < 0) return 10;
  let n = 1;
  let x = Math.floor(v);
  while (x >= 128) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

function utf8Bytes(s: string): number {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Field names whose protobuf field number is ≥ 16 (two-byte tag) in the common messages. */
const HIGH_FIELDS = new Set([
  // ObjectMeta
  "managedFields",
  // PodSpec
  "hostname",
  "subdomain",
  "affinity",
  "schedulerName",
  "initContainers",
  "automountServiceAccountToken",
  "tolerations",
  "hostAliases",
  "priorityClassName",
  "priority",
  "dnsConfig",
  "shareProcessNamespace",
  "readinessGates",
  "runtimeClassName",
  "enableServiceLinks",
  "preemptionPolicy",
  "overhead",
  "topologySpreadConstraints",
  "ephemeralContainers",
  "setHostnameAsFQDN",
  "os",
  "hostUsers",
  "schedulingGates",
  "resourceClaims",
  // Container
  "stdin",
  "stdinOnce",
  "tty",
  "envFrom",
  "terminationMessagePolicy",
  "volumeDevices",
  "startupProbe",
  "resizePolicy",
  // PodStatus
  "hostIPs",
  // ServiceSpec
  "ipFamilyPolicy",
  "clusterIPs",
  "ipFamilies",
  "allocateLoadBalancerNodePorts",
  "loadBalancerClass",
  "internalTrafficPolicy",
  "trafficDistribution",
]);

/** metav1.Time / MicroTime fields, stored as Timestamp messages. */
const TIME_FIELDS = new Set([
  "creationTimestamp",
  "deletionTimestamp",
  "lastTransitionTime",
  "lastProbeTime",
  "lastHeartbeatTime",
  "lastUpdateTime",
  "startTime",
  "completionTime",
  "startedAt",
  "finishedAt",
  "firstTimestamp",
  "lastTimestamp",
  "timeAdded",
  "renewTime",
  "acquireTime",
  "eventTime",
  "lastScheduleTime",
]);

/** map<string, string> fields. */
const STRING_MAP_FIELDS = new Set(["labels", "annotations", "nodeSelector", "matchLabels", "data", "stringData"]);
/** map<string, Quantity> fields (ResourceList). */
const QUANTITY_MAP_FIELDS = new Set(["requests", "limits", "capacity", "allocatable", "overhead"]);
/** IntOrString fields. */
const INT_OR_STRING_FIELDS = new Set(["maxSurge", "maxUnavailable", "targetPort"]);

/**
 * Bytes of always-written zero fields JSON omits, per message (2 bytes each, counted from
 * the Go types: e.g. ObjectMeta generateName, selfLink, generation; PodSpec serviceAccount,
 * hostNetwork, hostPID, hostIPC, subdomain; Container workingDir, stdin, stdinOnce, tty).
 */
const IMPLICIT_BYTES: Record<string, number> = {
  metadata: 10,
  spec: 20,
  status: 12,
  containers: 14,
  initContainers: 14,
  template: 4,
  conditions: 4,
  containerStatuses: 6,
};

function tag(key: string): number {
  return HIGH_FIELDS.has(key) ? 2 : 1;
}

function lenField(key: string, contentBytes: number): number {
  return tag(key) + varintSize(contentBytes) + contentBytes;
}

function timestampField(key: string, text: string): number {
  // seconds since 1970 need a 5-byte varint for 2002–2038; nanos only when fractional.
  const body = 1 + 5 + (text.includes(".") ? 1 + 5 : 0);
  return lenField(key, body);
}

function stringMapField(key: string, map: Record<string, unknown>, quantities: boolean): number {
  let n = 0;
  for (const k of Object.keys(map)) {
    const v = map[k];
    if (v === undefined) continue;
    const s = typeof v === "string" ? v : String(v);
    const kb = utf8Bytes(k);
    const vb = utf8Bytes(s);
    const valueField = quantities
      ? 1 + varintSize(1 + varintSize(vb) + vb) + (1 + varintSize(vb) + vb)
      : 1 + varintSize(vb) + vb;
    n += lenField(key, 1 + varintSize(kb) + kb + valueField);
  }
  return n;
}

function intOrStringField(key: string, v: number | string): number {
  const body = typeof v === "number" ? 2 + 1 + varintSize(v) + 2 : 2 + 2 + 1 + varintSize(utf8Bytes(v)) + utf8Bytes(v);
  return lenField(key, body);
}

function isStringMap(v: Record<string, unknown>): boolean {
  for (const k of Object.keys(v)) if (typeof v[k] !== "string") return false;
  return true;
}

function scalarField(key: string, v: unknown): number {
  switch (typeof v) {
    case "string":
      return TIME_FIELDS.has(key) ? timestampField(key, v) : lenField(key, utf8Bytes(v));
    case "number":
      return Number.isInteger(v) ? tag(key) + varintSize(v) : tag(key) + 8;
    case "boolean":
      return tag(key) + 1;
    default:
      return 0;
  }
}

function fieldSize(key: string, v: unknown): number {
  if (v === undefined) return 0;
  // JSON null is a zero-valued struct (e.g. lastProbeTime): written as an empty message.
  if (v === null) return tag(key) + 1;
  if (Array.isArray(v)) {
    let n = 0;
    for (const e of v) {
      if (e !== null && typeof e === "object") n += lenField(key, messageSize(e as Record<string, unknown>, key));
      else n += scalarField(key, e);
    }
    return n;
  }
  if (typeof v === "object") {
    const obj = v as Record<string, unknown>;
    if (QUANTITY_MAP_FIELDS.has(key)) return stringMapField(key, obj, true);
    if (STRING_MAP_FIELDS.has(key) || (key === "selector" && isStringMap(obj))) return stringMapField(key, obj, false);
    return lenField(key, messageSize(obj, key));
  }
  if (INT_OR_STRING_FIELDS.has(key) && (typeof v === "number" || typeof v === "string"))
    return intOrStringField(key, v);
  return scalarField(key, v);
}

// Sizes of nested messages, remembered per object: stored objects are never mutated, and
// successive versions of an object share unchanged parts (spec, status) by reference, so an
// update only sizes what changed. `metadata` is left out: kube-apiserver's storage stamps
// resourceVersion into it in place just before the write.
const messageSizes = new WeakMap<object, { key: string; size: number }>();

function messageSize(obj: Record<string, unknown>, key: string): number {
  if (key !== "metadata") {
    const hit = messageSizes.get(obj);
    if (hit !== undefined && hit.key === key) return hit.size;
  }
  let n = IMPLICIT_BYTES[key] ?? 0;
  for (const k of Object.keys(obj)) n += fieldSize(k, obj[k]);
  if (key !== "metadata") messageSizes.set(obj, { key, size: n });
  return n;
}

/** The envelope kube-apiserver wraps around an object's protobuf bytes. */
function envelopeSize(apiVersion: string, kind: string, rawBytes: number): number {
  const a = utf8Bytes(apiVersion);
  const k = utf8Bytes(kind);
  const typeMeta = 1 + varintSize(a) + a + 1 + varintSize(k) + k;
  // magic + typeMeta field + raw field + empty contentEncoding + empty contentType
  return 4 + (1 + varintSize(typeMeta) + typeMeta) + (1 + varintSize(rawBytes) + rawBytes) + 2 + 2;
}

/**
 * Estimated bytes kube-apiserver stores in etcd for an object (protobuf in the runtime
 * envelope); see the file comment for the model and its error (a few percent).
 */
export function storageSize(obj: object): number {
  const rec = obj as Record<string, unknown>;
  let raw = 0;
  for (const k of Object.keys(rec)) {
    if (k === "apiVersion" || k === "kind") continue; // carried by the envelope's TypeMeta
    raw += fieldSize(k, rec[k]);
  }
  return envelopeSize(String(rec.apiVersion ?? ""), String(rec.kind ?? ""), raw);
}

/**
 * protobuf/JSON size ratio the storageSize model gives on the typical objects in
 * test/api/fixtures.ts: a running Deployment pod 0.49 (2278 B JSON → 1106 B), a node with
 * five images 0.70 (3141 → 2192), a node Lease 0.54 (452 → 246). Pods dominate write bytes,
 * so the default is the pod ratio. Key names and timestamps are what protobuf saves; long
 * strings (image names, digests) it cannot shrink, hence the higher node ratio.
 */
export const DEFAULT_STORAGE_RATIO = 0.5;

/** Storage bytes estimated from a JSON size alone: ceil(jsonBytes × ratio). */
export function storageSizeFromJson(jsonBytes: number, ratio = DEFAULT_STORAGE_RATIO): number {
  return Math.ceil(jsonBytes * ratio);
}
