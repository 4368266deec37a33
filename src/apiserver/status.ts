// API errors as kube-apiserver returns them (metav1.Status): HTTP code, reason, message.
// Reasons and message formats follow k8s.io/apimachinery/pkg/api/errors.

export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Gone"
  | "Expired"
  | "TooManyRequests"
  | "Timeout"
  | "ServiceUnavailable"
  | "InternalError"
  | "BadRequest"
  | "Forbidden"
  | "MethodNotAllowed";

/** A failed API request (metav1.Status with status Failure). */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  /** Seconds the client should wait before retrying (429, some 5xx). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: number, reason: StatusReason, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The metav1.Status a client would see. */
  toStatus(): {
    kind: "Status";
    apiVersion: "v1";
    status: "Failure";
    message: string;
    reason: StatusReason;
    code: number;
  } {
    return {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
  }
}

const qualified = (resource: string, group: string) => (group === "" ? resource : `${resource}.${group}`);

/** Constructors with upstream's message formats. */
export const Status = {
  notFound: (resource: string, group: string, name: string) =>
    new ApiError(404, "NotFound", `${qualified(resource, group)} "${name}" not found`),
  alreadyExists: (resource: string, group: string, name: string) =>
    new ApiError(409, "AlreadyExists", `${qualified(resource, group)} "${name}" already exists`),
  conflict: (resource: string, group: string, name: string, why: string) =>
    new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`),
  invalid: (kind: string, name: string, causes: string[]) =>
    new ApiError(
      422,
      "Invalid",
      `${kind} "${name}" is invalid: ${causes.length === 1 ? causes[0] : `[${causes.join(", ")}]`}`,
    ),
  gone: (message: string) => new ApiError(410, "Expired", message),
  tooManyRequests: (retryAfter: number, message = "Too many requests, please try again later.") =>
    new ApiError(429, "TooManyRequests", message, retryAfter),
  timeout: (message: string, retryAfter?: number) => new ApiError(504, "Timeout", message, retryAfter),
  unavailable: (message: string) => new ApiError(503, "ServiceUnavailable", message),
  internal: (message: string) => new ApiError(500, "InternalError", `Internal error occurred: ${message}`),
  badRequest: (message: string) => new ApiError(400, "BadRequest", message),
  methodNotAllowed: (message: string) => new ApiError(405, "MethodNotAllowed", message),
};
