// JSON merge patch (RFC 7386), which `kubectl patch --type merge` sends. Strategic merge
// patches are applied with the same rules (lists replaced whole), a documented simplification:
// the simulator's components patch maps (status, labels, annotations), not keyed lists.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Applies a merge patch to a document, returning a new document (the input is not changed). */
export function mergePatch<T>(target: T, patch: unknown): T {
  return apply(target as unknown as Json, patch as Json) as unknown as T;
}

function apply(target: Json | undefined, patch: Json): Json {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const base: { [k: string]: Json } =
    target !== null && target !== undefined && typeof target === "object" && !Array.isArray(target)
      ? { ...target }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete base[k];
    else base[k] = apply(base[k], v);
  }
  return base;
}
