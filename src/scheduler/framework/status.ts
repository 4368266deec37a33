/**
 * Plugin statuses with upstream's codes (k8s.io/kube-scheduler/framework interface.go: `Code`).
 * The numeric values are upstream's, and the kernel packs them into filter results.
 */

export const Code = {
  Success: 0,
  Error: 1,
  Unschedulable: 2,
  UnschedulableAndUnresolvable: 3,
  Wait: 4,
  Skip: 5,
  Pending: 6,
} as const;

export type StatusCode = (typeof Code)[keyof typeof Code];

const CODE_NAMES = ["Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable", "Wait", "Skip", "Pending"];

/** The name upstream's `Code.String()` prints. */
export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

/** A plugin's verdict: a code, reason strings as upstream prints them, and the plugin that gave it. */
export class Status {
  readonly code: StatusCode;
  readonly reasons: readonly string[];
  plugin: string;

  constructor(code: StatusCode, reasons: readonly string[] = [], plugin = "") {
    this.code = code;
    this.reasons = reasons;
    this.plugin = plugin;
  }

  get isSuccess(): boolean {
    return this.code === Code.Success;
  }

  get isSkip(): boolean {
    return this.code === Code.Skip;
  }

  /** Unschedulable or UnschedulableAndUnresolvable (`IsRejected`). */
  get isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }

  /** `Status.Message()`: the reasons joined by ", ". */
  get message(): string {
    return this.reasons.join(", ");
  }

  withPlugin(plugin: string): Status {
    this.plugin = plugin;
    return this;
  }

  toJSON(): { code: string; reasons: readonly string[]; plugin?: string } {
    return this.plugin === ""
      ? { code: codeName(this.code), reasons: this.reasons }
      : { code: codeName(this.code), reasons: this.reasons, plugin: this.plugin };
  }
}

export const SUCCESS = new Status(Code.Success);
export const SKIP = new Status(Code.Skip);

export function unschedulable(...reasons: string[]): Status {
  return new Status(Code.Unschedulable, reasons);
}

export function unresolvable(...reasons: string[]): Status {
  return new Status(Code.UnschedulableAndUnresolvable, reasons);
}

export function errorStatus(message: string): Status {
  return new Status(Code.Error, [message]);
}
