/**
 * The one error root of Corridor. Every failure the code raises on purpose is a
 * CorridorError with a stable `code` (callers and the CLI switch on it), a short
 * message, a `details` object for logs and reports, and an optional `cause`.
 */

/** Codes raised by the domain layer. Other layers add their own; codes never change meaning. */
export const ErrorCode = {
  InvalidAmount: "CORRIDOR_INVALID_AMOUNT",
  InvalidConfig: "CORRIDOR_INVALID_CONFIG",
  FeeScheduleInvalid: "CORRIDOR_FEE_SCHEDULE_INVALID",
  FeeAboveMax: "CORRIDOR_FEE_ABOVE_MAX",
  QuoteExpired: "CORRIDOR_QUOTE_EXPIRED",
  FxWindowInvalid: "CORRIDOR_FX_WINDOW_INVALID",
  DataInvalid: "CORRIDOR_DATA_INVALID",
  /** A data set's or list's as-of date is missing or not a calendar date. */
  DataDateInvalid: "CORRIDOR_DATA_DATE_INVALID",
  HookUnknown: "CORRIDOR_HOOK_UNKNOWN",
} as const;

export type KnownErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
/** Any stable code: the known ones autocomplete, other layers may use their own `CORRIDOR_*` strings. */
export type CorridorErrorCode = KnownErrorCode | (string & {});

export class CorridorError extends Error {
  override readonly name = "CorridorError";
  readonly code: CorridorErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: CorridorErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }

  /** A plain object for structured logs (bigints as decimal strings). */
  toJSON(): { name: string; code: string; message: string; details: Record<string, unknown> } {
    const details = JSON.parse(
      JSON.stringify(this.details, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    ) as Record<string, unknown>;
    return { name: this.name, code: this.code, message: this.message, details };
  }
}

/** True if `error` is a CorridorError (with `code`, if given). */
export function isCorridorError(error: unknown, code?: CorridorErrorCode): error is CorridorError {
  return error instanceof CorridorError && (code === undefined || error.code === code);
}
