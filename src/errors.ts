/**
 * Every failure the SDK reports is a SiglipError with a stable `code`, so callers can branch on
 * `err.code` instead of parsing messages. Errors cross the worker boundary as plain objects
 * ({@link SerializedSiglipError}) and are rebuilt on the main thread with the same code and message.
 */
export type SiglipErrorCode =
  | 'INVALID_INPUT'
  | 'IMAGE_DECODE'
  | 'IMAGE_FETCH'
  | 'MODEL_LOAD'
  | 'MODEL_UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'ASSET_LOAD'
  | 'INFERENCE'
  | 'ABORTED'
  | 'DISPOSED'
  | 'WORKER_CRASHED'
  | 'LIBRARY_MISMATCH'
  | 'LIBRARY_FORMAT'
  | 'STORAGE'
  | 'INTERNAL';

export interface SerializedSiglipError {
  readonly __siglipError: true;
  readonly code: SiglipErrorCode;
  readonly message: string;
  readonly detail?: string;
}

export class SiglipError extends Error {
  override readonly name = 'SiglipError';
  readonly code: SiglipErrorCode;
  /** Underlying cause as text (e.g. the onnxruntime message); kept as text so it survives postMessage. */
  readonly detail?: string;

  constructor(code: SiglipErrorCode, message: string, detail?: string) {
    super(message);
    this.code = code;
    if (detail !== undefined) this.detail = detail;
  }

  /**
   * The inline engine lives in a separately loaded bundle with its own copy of this class, so
   * `instanceof` matches by shape (name + string code) rather than by constructor identity.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'SiglipError' &&
      typeof (value as { code?: unknown }).code === 'string' && value instanceof Error
    );
  }

  toJSON(): SerializedSiglipError {
    return { __siglipError: true, code: this.code, message: this.message, ...(this.detail !== undefined ? { detail: this.detail } : {}) };
  }

  static isSerialized(value: unknown): value is SerializedSiglipError {
    return typeof value === 'object' && value !== null && (value as { __siglipError?: unknown }).__siglipError === true;
  }

  static fromSerialized(s: SerializedSiglipError): SiglipError {
    return new SiglipError(s.code, s.message, s.detail);
  }

  /** Wrap anything thrown by a dependency, keeping SiglipErrors as they are. */
  static wrap(code: SiglipErrorCode, message: string, cause: unknown): SiglipError {
    if (cause instanceof SiglipError) return cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new SiglipError(code, `${message}: ${detail}`, detail);
  }
}
