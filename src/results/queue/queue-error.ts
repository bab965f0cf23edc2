/**
 * Errors of queued jobs, always with a code, and their serialisable form (`{ code, message }`), so
 * that a job summary or an issue never carries `"error": {}`.
 */

/** QueueErrorCode names what went wrong. */
export type QueueErrorCode =
  | 'NOSPACE'
  | 'SPACE_LOW'
  | 'JOB_EXISTS'
  | 'NO_SUCH_JOB'
  | 'INVALID_OP'
  | 'UNSUPPORTED'
  | 'COMPUTE'
  | 'QUORUM'
  | 'CONFLICT'
  | 'SUBMIT_FAILED'
  | 'ETCD';

/** ErrorText is an error as stored and printed: a code and a message. */
export interface ErrorText {
  code: string;
  message: string;
}

/** QueueError is an error of a queued job; `code` says which. */
export class QueueError extends Error {
  override readonly name = 'QueueError';

  constructor(
    readonly code: QueueErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** toJSON gives `{ code, message }`. */
  toJSON(): ErrorText {
    return { code: this.code, message: this.message };
  }
}

/** NOSPACE_MESSAGE matches etcd's refusal once its NOSPACE alarm is raised. */
const NOSPACE_MESSAGE = /database space exceeded|NOSPACE/i;

/** isNoSpace tells whether an etcd error is the NOSPACE refusal. */
export function isNoSpace(error: unknown): boolean {
  return NOSPACE_MESSAGE.test((error as { message?: string } | undefined)?.message ?? '');
}

/**
 * errorText turns anything thrown into `{ code, message }`: a QueueError keeps its code, an error
 * with a numeric or string `code` keeps that, NOSPACE is recognised, anything else is `ERROR`.
 */
export function errorText(error: unknown): ErrorText {
  if (error instanceof QueueError) return error.toJSON();
  if (isNoSpace(error)) return { code: 'NOSPACE', message: String((error as Error).message) };
  const e = error as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
  const code =
    typeof e?.code === 'string' || typeof e?.code === 'number'
      ? String(e.code)
      : typeof e?.name === 'string' && e.name !== 'Error'
        ? e.name
        : 'ERROR';
  return { code, message };
}
