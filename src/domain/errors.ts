/**
 * The one error root of Corridor. `code` is stable (CLI exit statuses, HTTP responses
 * and tests key on it); `message` is short and says what was wrong; `details` carries
 * the context; `cause` the underlying error, if any.
 */
export class CorridorError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "CorridorError";
    this.code = code;
    this.details = details;
  }
}

export function isCorridorError(e: unknown, code?: string): e is CorridorError {
  return e instanceof CorridorError && (code === undefined || e.code === code);
}
