/** Why the SDK left WebGPU for another device (decided in one place: backend/device-plan.ts). */
export type DeviceFallbackCode =
  /** No WebGPU adapter (checked before loading). */
  | 'WEBGPU_UNAVAILABLE'
  /** The dtype needs `shader-f16`, which the adapter lacks (checked before loading). */
  | 'WEBGPU_NO_SHADER_F16'
  /** Creating or smoke-testing the WebGPU sessions failed; the model is loaded again on WASM. */
  | 'WEBGPU_LOAD_FAILED'
  /** The GPU device was lost after loading; calls continue on WASM. */
  | 'WEBGPU_DEVICE_LOST'
  /**
   * onnxruntime's multi-threaded WebAssembly start never finished (its pthread workers did not come
   * up: seen in Firefox with the runtime inside a worker); the model is loaded again single-threaded.
   */
  | 'WASM_THREADS_STALLED'
  /**
   * onnxruntime's WebAssembly trapped (e.g. "Out of bounds memory access") while creating the
   * sessions: loaded once more in a fresh runtime, re-checking the cached files first.
   */
  | 'WASM_RUNTIME_FAILED';

export interface DeviceFallback {
  readonly code: DeviceFallbackCode;
  /** The device to continue on (a `Device`). */
  readonly device: 'webgpu' | 'wasm';
  /** Human-readable; becomes `info.fallbackReason`. */
  readonly reason: string;
  /** The onnxruntime thread count to continue with, when the fallback changes it. */
  readonly threads?: number;
  /** Re-hash cached model files before the next load (a corrupt file may have caused the failure). */
  readonly verifyCache?: boolean;
}

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
  readonly fallback?: DeviceFallback;
}

export class SiglipError extends Error {
  override readonly name = 'SiglipError';
  readonly code: SiglipErrorCode;
  /** Underlying cause as text (e.g. the onnxruntime message); kept as text so it survives postMessage. */
  readonly detail?: string;
  /**
   * Set when the engine asks to continue on another device (BACKEND_UNAVAILABLE during load, or a
   * lost GPU device). The SDK acts on it itself; a caller sees it only if the retry failed too.
   */
  readonly fallback?: DeviceFallback;

  constructor(code: SiglipErrorCode, message: string, detail?: string, fallback?: DeviceFallback) {
    super(message);
    this.code = code;
    if (detail !== undefined) this.detail = detail;
    if (fallback !== undefined) this.fallback = fallback;
  }

  /** The error that asks the SDK to move to `fallback.device`. */
  static deviceFallback(fallback: DeviceFallback, detail?: string): SiglipError {
    return new SiglipError('BACKEND_UNAVAILABLE', fallback.reason, detail, fallback);
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
    return {
      __siglipError: true,
      code: this.code,
      message: this.message,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.fallback !== undefined ? { fallback: this.fallback } : {}),
    };
  }

  static isSerialized(value: unknown): value is SerializedSiglipError {
    return typeof value === 'object' && value !== null && (value as { __siglipError?: unknown }).__siglipError === true;
  }

  static fromSerialized(s: SerializedSiglipError): SiglipError {
    return new SiglipError(s.code, s.message, s.detail, s.fallback);
  }

  /** The one error for any use of a disposed instance (`pending`: the call was queued or running when it happened). */
  static disposed(pending = false): SiglipError {
    return new SiglipError('DISPOSED', `This Siglip instance was disposed${pending ? ' while the call was pending' : ''}; call createSiglip() again`);
  }

  /** Wrap anything thrown by a dependency, keeping SiglipErrors as they are. */
  static wrap(code: SiglipErrorCode, message: string, cause: unknown): SiglipError {
    if (cause instanceof SiglipError) return cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new SiglipError(code, `${message}: ${detail}`, detail);
  }
}
