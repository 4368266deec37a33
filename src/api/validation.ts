/**
 * Name and metadata validation, with Kubernetes' wording.
 *
 * String checks follow k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Label,
 * IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue): each returns the
 * list of messages, empty when the value is valid. Errors are `field.Error`s
 * (k8s.io/apimachinery/pkg/util/validation/field/errors.go) and print the same way:
 *   metadata.name: Invalid value: "Foo_1": a lowercase RFC 1123 subdomain must consist of ...
 * ObjectMeta rules follow k8s.io/apimachinery/pkg/api/validation/objectmeta.go.
 */
import { isNamespacedKind } from "./resources.js";
import type { KubeObject } from "./types/index.js";
import type { ObjectMeta } from "./types/meta.js";

// ---------------------------------------------------------------------------------------------
// field.Error

/** `field.ErrorType`, with the text upstream prints for it. */
export type FieldErrorType =
  | "Not found"
  | "Required value"
  | "Duplicate value"
  | "Invalid value"
  | "Unsupported value"
  | "Forbidden"
  | "Too long"
  | "Too many"
  | "Internal error";

/** A validation error on one field, printed like Kubernetes' `field.Error`. */
export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly badValue: unknown,
    readonly detail: string,
  ) {}

  /** `<field>: <body>` as `field.Error.Error()` prints it. */
  toString(): string {
    return `${this.field}: ${this.body()}`;
  }

  /** `field.Error.ErrorBody()`: the type, the quoted bad value where shown, and the detail. */
  body(): string {
    let s: string = this.type;
    const omitValue =
      this.type === "Required value" ||
      this.type === "Forbidden" ||
      this.type === "Too long" ||
      this.type === "Internal error" ||
      this.badValue === OMIT;
    if (!omitValue) s += `: ${formatBadValue(this.badValue)}`;
    if (this.detail !== "") s += `: ${this.detail}`;
    return s;
  }
}

/** Marker for errors whose value is not shown (`field.OmitValueType`). */
export const OMIT: unique symbol = Symbol("omit");

function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v); // Go's %q for printable strings
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

/** `field.Invalid`. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return new FieldError("Invalid value", field, value, detail);
}

/** `field.Required`. */
export function required(field: string, detail = ""): FieldError {
  return new FieldError("Required value", field, "", detail);
}

/** `field.Forbidden`. */
export function forbidden(field: string, detail: string): FieldError {
  return new FieldError("Forbidden", field, "", detail);
}

/** `field.NotSupported`: lists the supported values the way upstream does. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail =
    supported.length === 0 ? "" : `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`;
  return new FieldError("Unsupported value", field, value, detail);
}

/** Appends `.child` to a field path (`field.Path.Child`). */
export function childPath(path: string, child: string): string {
  return path === "" ? child : `${path}.${child}`;
}

/** Appends `[key]` to a field path (`field.Path.Key` / `Index`). */
export function keyPath(path: string, key: string | number): string {
  return `${path}[${key}]`;
}

// ---------------------------------------------------------------------------------------------
// String checks (util/validation/validation.go)

/** `MaxLenError`. */
function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** `RegexError`, including upstream's exact punctuation ("'my-name',  or '123-abc', "). */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += " or ";
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
/** `DNS1123LabelMaxLength`. */
export const DNS1123_LABEL_MAX_LENGTH = 63;

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
/** `DNS1123SubdomainMaxLength`. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);

const QNAME_CHAR_FMT = "[A-Za-z0-9]";
const QNAME_EXT_CHAR_FMT = "[-A-Za-z0-9_.]";
const QUALIFIED_NAME_FMT = `(${QNAME_CHAR_FMT}${QNAME_EXT_CHAR_FMT}*)?${QNAME_CHAR_FMT}`;
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MAX_LENGTH = 63;

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
/** `LabelValueMaxLength`. */
export const LABEL_VALUE_MAX_LENGTH = 63;

/** `IsDNS1123Label`: messages for a value that is not a lowercase RFC 1123 label (≤ 63). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  return errs;
}

/** `IsDNS1123Subdomain`: messages for a value that is not an RFC 1123 subdomain (≤ 253). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value))
    errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

/** `IsDNS1035Label`: messages for a value that is not an RFC 1035 label (Service names). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL_RE.test(value)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"));
  return errs;
}

/** `IsQualifiedName`: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 (label keys). */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  }
  return errs;
}

/** `IsValidLabelValue`: empty, or a qualified-name-like string of at most 63 characters. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value))
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Names (api/validation/generic.go: NameIsDNSSubdomain, NameIsDNSLabel, NameIsDNS1035Label)

/** A name check: (name, isPrefix) → messages. `isPrefix` is true for generateName. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** generateName may end in "-": upstream masks a trailing dash before checking (maskTrailingDash). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

/** `NameIsDNSSubdomain`: most kinds (Pod, Node, Deployment, Lease, ...). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** `NameIsDNSLabel`: Namespaces. */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** `NameIsDNS1035Label`: Services (a DNS-1035 label, so it must start with a letter). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) =>
  isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** The name rule kube-apiserver applies to each kind's metadata.name. */
export function nameValidatorForKind(kind: string): NameValidator {
  if (kind === "Namespace") return nameIsDNSLabel;
  if (kind === "Service") return nameIsDNS1035Label;
  return nameIsDNSSubdomain;
}

// ---------------------------------------------------------------------------------------------
// ObjectMeta (api/validation/objectmeta.go)

/** Total annotation size limit (`TotalAnnotationSizeLimitB`, 256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** `ValidateLabels`: keys are qualified names, values valid label values. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined) return errs;
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(keyPath(path, k), v, m));
  }
  return errs;
}

/** `ValidateAnnotations`: keys are qualified names (lower-cased), total size ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (annotations === undefined) return errs;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += k.length + v.length;
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push(new FieldError("Too long", path, "", `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`));
  }
  return errs;
}

/**
 * `ValidateObjectMeta`: name or generateName present and valid per `nameFn`, namespace
 * present (and a DNS label) exactly when the kind is namespaced, non-negative generation,
 * valid labels and annotations. Returns the errors (empty when valid).
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  nameFn: NameValidator,
  path = "metadata",
): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const name = m.name ?? "";
  const generateName = m.generateName ?? "";
  if (generateName !== "") {
    for (const msg of nameFn(generateName, true))
      errs.push(invalid(childPath(path, "generateName"), generateName, msg));
  }
  if (name === "" && generateName === "") {
    errs.push(required(childPath(path, "name"), "name or generateName is required"));
  } else if (name !== "") {
    for (const msg of nameFn(name, false)) errs.push(invalid(childPath(path, "name"), name, msg));
  }
  const namespace = m.namespace ?? "";
  if (namespaced) {
    if (namespace === "") errs.push(required(childPath(path, "namespace")));
    else for (const msg of isDNS1123Label(namespace)) errs.push(invalid(childPath(path, "namespace"), namespace, msg));
  } else if (namespace !== "") {
    errs.push(forbidden(childPath(path, "namespace"), "not allowed on this type"));
  }
  if (m.generation !== undefined && m.generation < 0) {
    errs.push(invalid(childPath(path, "generation"), m.generation, "must be greater than or equal to 0"));
  }
  errs.push(...validateLabels(m.labels, childPath(path, "labels")));
  errs.push(...validateAnnotations(m.annotations, childPath(path, "annotations")));
  for (const [i, f] of (m.finalizers ?? []).entries()) {
    for (const msg of isQualifiedName(f)) errs.push(invalid(keyPath(childPath(path, "finalizers"), i), f, msg));
  }
  return errs;
}

/**
 * Basic validation of a whole object: its metadata with the kind's name rule, and for Pods
 * that at least one container is given. Not the full per-kind validation of kube-apiserver.
 */
export function validateObject(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, isNamespacedKind(obj.kind), nameValidatorForKind(obj.kind));
  if (obj.kind === "Pod") {
    const containers = obj.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) errs.push(required("spec.containers"));
  }
  return errs;
}
