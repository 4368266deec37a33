// A client for etcd's HTTP/JSON gateway (grpc-gateway, snake_case names, base64 bytes, int64
// as strings), translating to and from the store's lowerCamelCase shapes.

const BYTES = new Set(["key", "value", "range_end"]);
/** int64 fields that stay strings: real lease ids use all 64 bits. */
const ID_FIELDS = new Set(["ID", "lease", "id"]);
const INTS = new Set([
  "revision",
  "create_revision",
  "mod_revision",
  "version",
  "count",
  "deleted",
  "TTL",
  "grantedTTL",
  "compact_revision",
  "raft_term",
  "watch_id",
  "limit",
  "min_mod_revision",
  "max_mod_revision",
  "min_create_revision",
  "max_create_revision",
  "start_revision",
]);

const snake = (s: string) => (s === "TTL" || s === "ID" ? s : s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** Converts a store-shaped request to gateway JSON (lease ids must already be real ids). */
export function toGateway(v: unknown, field = ""): unknown {
  if (Array.isArray(v)) return v.map((x) => toGateway(x, field));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[snake(k)] = toGateway(x, snake(k));
    return out;
  }
  if (typeof v === "string" && BYTES.has(field)) return b64(v);
  return v;
}

/** Converts gateway JSON to store shapes: camelCase names, decoded bytes, numeric int64 (ids stay strings). */
export function fromGateway(v: unknown, field = ""): unknown {
  if (Array.isArray(v)) return v.map((x) => fromGateway(x, field));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[camel(k)] = fromGateway(x, k);
    return out;
  }
  if (typeof v === "string" && BYTES.has(field)) return unb64(v);
  if (typeof v === "string" && INTS.has(field) && !ID_FIELDS.has(field)) return Number(v);
  return v;
}

export type GatewayResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: string };

/** POSTs a request and returns the decoded response or etcd's error message. */
export async function call(url: string, path: string, req: unknown): Promise<GatewayResult> {
  const r = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(toGateway(req)) });
  const body = (await r.json()) as Record<string, unknown>;
  if (typeof body.error === "string") return { ok: false, error: body.error };
  return { ok: true, body: fromGateway(body) as Record<string, unknown> };
}

/**
 * Opens a watch and collects responses until `done` says so or `timeoutMs` passes. The
 * gateway streams one JSON object per line: {"result": WatchResponse}.
 */
export async function watch(
  url: string,
  create: unknown,
  done: (responses: Record<string, unknown>[]) => boolean,
  timeoutMs = 3000,
): Promise<Record<string, unknown>[]> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const responses: Record<string, unknown>[] = [];
  try {
    const r = await fetch(`${url}/v3/watch`, {
      method: "POST",
      body: JSON.stringify({ create_request: toGateway(create) }),
      signal: ctrl.signal,
    });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      buf += decoder.decode(value, { stream: true });
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== "") {
          const msg = JSON.parse(line) as { result?: unknown };
          responses.push(fromGateway(msg.result ?? msg) as Record<string, unknown>);
        }
        nl = buf.indexOf("\n");
      }
      if (done(responses)) break;
    }
  } catch (e) {
    if (!(e instanceof Error && e.name === "AbortError")) throw e;
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return responses;
}
