// Request builders and a small driver for flow-control tests.
import type { DispatchInfo, FlowControl, RequestAttributes } from "../../../src/apiserver/flowcontrol/types.js";
import type { Simulation } from "../../../src/engine/simulation.js";

const AUTH = "system:authenticated";

export function nodeUser(i: number): Pick<RequestAttributes, "user" | "groups"> {
  return { user: `system:node:node-${i}`, groups: ["system:nodes", AUTH] };
}

export function saUser(namespace: string, name: string): Pick<RequestAttributes, "user" | "groups"> {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, AUTH],
  };
}

export function humanUser(name: string, ...groups: string[]): Pick<RequestAttributes, "user" | "groups"> {
  return { user: name, groups: [...groups, AUTH] };
}

/** A resource request; `rest` overrides anything. */
export function resourceReq(
  who: Pick<RequestAttributes, "user" | "groups">,
  verb: string,
  resource: string,
  rest: Partial<RequestAttributes> = {},
): RequestAttributes {
  return { ...who, verb, apiGroup: "", resource, isResourceRequest: true, ...rest };
}

export const kubeletLeaseUpdate = (i: number): RequestAttributes =>
  resourceReq(nodeUser(i), "update", "leases", {
    apiGroup: "coordination.k8s.io",
    namespace: "kube-node-lease",
    name: `node-${i}`,
  });

export const nodeStatusPatch = (i: number): RequestAttributes =>
  resourceReq(nodeUser(i), "patch", "nodes", { subresource: "status", name: `node-${i}` });

export const userList = (name: string, objects: number): RequestAttributes =>
  resourceReq(humanUser(name), "list", "pods", { namespace: "default", estimatedObjects: objects });

export const userGet = (name: string): RequestAttributes =>
  resourceReq(humanUser(name), "get", "pods", { namespace: "default", name: "p" });

export interface Outcome {
  id: string;
  at: number;
  kind: "start" | "reject";
  waitUs: number;
  info: DispatchInfo;
  retryAfter?: number;
  reason?: string;
}

/** Submits requests that, once started, run for a fixed service time and then call done(). */
export class Driver {
  readonly outcomes: Outcome[] = [];
  readonly finished: { id: string; at: number }[] = [];

  constructor(
    readonly sim: Simulation,
    readonly fc: FlowControl,
  ) {}

  submit(id: string, req: RequestAttributes, serviceUs: number, onFinish?: (retryAfterS?: number) => void): void {
    this.fc.handle(
      req,
      (waitUs, done, info) => {
        this.outcomes.push({ id, at: this.sim.now, kind: "start", waitUs, info });
        this.sim.after(serviceUs, () => {
          this.finished.push({ id, at: this.sim.now });
          done();
          onFinish?.();
        });
      },
      (retryAfter, reason, info) => {
        this.outcomes.push({ id, at: this.sim.now, kind: "reject", waitUs: 0, info, retryAfter, reason });
        onFinish?.(retryAfter);
      },
    );
  }

  /** A closed-loop client: sends `req`, and its next one as soon as the previous one ends. */
  loop(id: string, req: RequestAttributes, serviceUs: number, until: number): void {
    let n = 0;
    const next = (retryAfterS?: number): void => {
      if (retryAfterS !== undefined) {
        this.sim.after(retryAfterS * 1e6, () => next());
        return;
      }
      if (this.sim.now >= until) return;
      this.submit(`${id}#${n++}`, req, serviceUs, next);
    };
    next();
  }

  started(prefix: string): Outcome[] {
    return this.outcomes.filter((o) => o.kind === "start" && o.id.startsWith(prefix));
  }

  rejected(prefix = ""): Outcome[] {
    return this.outcomes.filter((o) => o.kind === "reject" && o.id.startsWith(prefix));
  }
}
