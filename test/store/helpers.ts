// Shared helpers for the store tests.
import { EtcdError } from "../../src/store/errors.js";

/** The etcd error message `f` throws, or "no error". */
export function etcdMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EtcdError) return e.message;
    throw e;
  }
  return "no error";
}
