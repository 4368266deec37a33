import type { Rng } from "../engine/rng.js";

// generateName suffixes use this alphabet (apiserver/pkg/storage/names: no vowels, no
// easily confused characters) and 5 characters.
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** A name for `generateName`: the prefix plus 5 random characters, as kube-apiserver makes them. */
export function generateName(prefix: string, rng: Rng): string {
  let s = prefix;
  for (let i = 0; i < 5; i++) s += ALPHABET[rng.int(ALPHABET.length)];
  return s;
}

/** A version-4 UUID from a seeded stream (object uids). */
export function uuid(rng: Rng): string {
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += rng.int(16).toString(16);
    return s;
  };
  const variant = (8 + rng.int(4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}
