import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { etcdctlCommand } from "../../src/cli/etcdctl.js";
import { InputError } from "../../src/engine/errors.js";
import { MvccStore } from "../../src/store/kv-store.js";
import { saveSnapshot } from "../../src/store/snapshot.js";

const dir = mkdtempSync(join(tmpdir(), "kubesim-etcdctl-"));
const snap = join(dir, "etcd.ndjson");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  const s = new MvccStore();
  s.put({ key: "/registry/minions/node-1", value: "n1" }); // 2
  s.put({ key: "/registry/pods/default/a", value: "pa" }); // 3
  s.put({ key: "/registry/pods/default/b", value: "pb" }); // 4
  s.put({ key: "/registry/pods/default/a", value: "pa2" }); // 5
  saveSnapshot(s, snap, (v) => v);
});

function run(...args: string[]): { code: number; out: string } {
  let out = "";
  const code = etcdctlCommand([...args, "--snapshot", snap], (s) => {
    out += s;
  });
  return { code, out };
}

describe("kubesim etcdctl get", () => {
  it("prints keys and values like etcdctl", () => {
    expect(run("get", "/registry/pods/", "--prefix").out).toBe(
      "/registry/pods/default/a\npa2\n/registry/pods/default/b\npb\n",
    );
    expect(run("get", "/", "--prefix", "--keys-only").out).toBe(
      "/registry/minions/node-1\n/registry/pods/default/a\n/registry/pods/default/b\n",
    );
    expect(run("get", "/registry/pods/", "--prefix", "--limit", "1", "--print-value-only").out).toBe("pa2\n");
    expect(run("get", "/registry/pods/default/a", "--rev", "3").out).toBe("/registry/pods/default/a\npa\n");
    expect(run("get", "/registry/pods/", "--prefix", "--count-only").out).toBe("2\n");
    expect(
      run("get", "/registry/pods/", "--prefix", "--sort-by", "MODIFY", "--order", "DESCEND", "--keys-only").out,
    ).toBe("/registry/pods/default/a\n/registry/pods/default/b\n");
  });

  it("prints -w json as etcdctl does: snake_case, base64, exact 64-bit ids, zero fields left out", () => {
    const out = run("get", "/registry/pods/", "--prefix", "--limit", "1", "-w", "json").out;
    expect(out).toBe(
      `{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":5,"raft_term":1},` +
        `"kvs":[{"key":"${Buffer.from("/registry/pods/default/a").toString("base64")}","create_revision":3,"mod_revision":5,"version":2,"value":"${Buffer.from("pa2").toString("base64")}"}],"more":true,"count":2}\n`,
    );
  });

  it("reports etcd errors and bad flags", () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(run("get", "/x", "--rev", "99").code).toBe(1);
      expect(String(err.mock.calls[0]?.[0])).toContain("required revision is a future revision");
    } finally {
      err.mockRestore();
    }
    expect(() => run("get", "/x", "--limit", "ten")).toThrow(InputError);
    expect(() => run("put", "/x", "v")).toThrow(/expected the command "get"/);
    expect(() => etcdctlCommand(["get", "/x", "--snapshot", join(dir, "none")], () => {})).toThrow(/no file/);
  });
});
