/**
 * The one error catalog. Every error Argus returns over HTTP or prints at start-up has a code
 * here; the README's error table is checked against this list by a test.
 */
export const errorCatalog = {
  ARGUS_BAD_SIGNATURE: { status: 401, message: 'The request signature is missing, stale or does not match' },
  ARGUS_UNAUTHENTICATED: { status: 401, message: 'The request carries no valid credentials' },
  ARGUS_FORBIDDEN: { status: 403, message: 'You are not allowed to do this' },
  ARGUS_HOST_NOT_ALLOWED: { status: 403, message: 'In dev mode Argus answers only requests addressed to localhost, 127.x.x.x or [::1]' },
  ARGUS_CHANNEL_NOT_ALLOWED: { status: 403, message: 'Argus accepts activities from the Microsoft Teams channel only' },
  ARGUS_SERVICE_URL_NOT_ALLOWED: { status: 403, message: 'The serviceUrl is not on the allowed Bot Connector hosts (teams.serviceUrlHosts)' },
  ARGUS_BAD_PAYLOAD: { status: 400, message: 'The request body does not match the expected schema' },
  ARGUS_BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  ARGUS_UNKNOWN_VERB: { status: 400, message: 'The card action is not one Argus knows' },
  ARGUS_NOT_FOUND: { status: 404, message: 'No such resource' },
  ARGUS_CONFLICT: { status: 409, message: 'The resource changed meanwhile; try again' },
  ARGUS_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than the limit' },
  ARGUS_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be JSON (application/json)' },
  ARGUS_STORAGE_UNAVAILABLE: { status: 503, message: 'Storage is unavailable; retry later' },
  ARGUS_DEPENDENCY_FAILED: { status: 502, message: 'A dependency Argus called refused the request' },
  ARGUS_DEPENDENCY_UNAVAILABLE: { status: 503, message: 'A dependency Argus called is unavailable; retry later' },
  ARGUS_NOT_READY: { status: 503, message: 'Argus is not ready' },
  ARGUS_SHUTTING_DOWN: { status: 503, message: 'Argus is shutting down; retry later' },
  ARGUS_CONFIG_INVALID: { status: 500, message: 'The configuration is invalid' },
  ARGUS_SECRET_MISSING: { status: 500, message: 'A required secret is missing' },
  ARGUS_INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface ErrorDetail {
  path?: string;
  message: string;
}

/** An error with a catalog code. Branch on `code`, never on `message`. */
export class ArgusError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message?: string, options: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message ?? errorCatalog[code].message, { cause: options.cause });
    this.name = 'ArgusError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.details = options.details ?? [];
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function isArgusError(err: unknown, code?: ErrorCode): err is ArgusError {
  return err instanceof ArgusError && (code === undefined || err.code === code);
}

/** Turns anything thrown into an ArgusError, keeping the original as `cause`. */
export function toArgusError(err: unknown): ArgusError {
  if (err instanceof ArgusError) return err;
  return new ArgusError('ARGUS_INTERNAL', undefined, { cause: err });
}
