import { SiglipError } from '../errors.js';
import type { Device, DeviceFallback, DeviceOption, Dtype, DtypeOption } from '../types.js';
import type { WebGpuProbe } from './webgpu-probe.js';

/**
 * Which device one engine loads on, and what happens when it fails. The engine tries exactly one
 * device: a failed WebGPU start leaves onnxruntime's WASM runtime unusable in that realm (it then
 * fails with bare numeric exceptions), so "try WASM next" always means a fresh engine (worker or
 * module instance). `fallbackDevice` says whether that retry is allowed.
 */
export interface DevicePlan {
  readonly device: Device;
  readonly dtype: Dtype;
  /** Where to continue if `device` fails to load; undefined: the failure is the caller's error. */
  readonly fallbackDevice?: Device;
  /** Set when WebGPU was skipped before anything was tried (no adapter, no shader-f16). */
  readonly skipped?: DeviceFallback;
}

const HALF_PRECISION: ReadonlySet<Dtype> = new Set<Dtype>(['fp16', 'q4f16']);

/**
 * `auto` dtype is fp32: it is the only precision that reproduces Python transformers' scores within
 * 1e-4; smaller dtypes are an explicit opt-in.
 */
export function resolveDtype(dtype: DtypeOption): Dtype {
  return dtype === 'auto' ? 'fp32' : dtype;
}

function webGpuProblem(dtype: Dtype, probe: WebGpuProbe): DeviceFallback | undefined {
  if (!probe.available) return { code: 'WEBGPU_UNAVAILABLE', device: 'wasm', reason: probe.reason ?? 'WebGPU is not available' };
  if (HALF_PRECISION.has(dtype) && !probe.shaderF16) {
    return { code: 'WEBGPU_NO_SHADER_F16', device: 'wasm', reason: `dtype '${dtype}' needs the WebGPU feature 'shader-f16', which this adapter lacks` };
  }
  return undefined;
}

/** Pure: the requested device and dtype, what the WebGPU probe found -> the plan for one engine. */
export function planDevices(device: DeviceOption, dtypeOption: DtypeOption, probe: WebGpuProbe): DevicePlan {
  const dtype = resolveDtype(dtypeOption);
  const problem = device === 'wasm' ? undefined : webGpuProblem(dtype, probe);
  if (device === 'webgpu') {
    if (problem) {
      throw new SiglipError('BACKEND_UNAVAILABLE', `device 'webgpu' was requested but cannot be used: ${problem.reason}. Use device 'auto' to fall back to WASM.`);
    }
    return { device: 'webgpu', dtype };
  }
  // fp16 weights run on WASM too (upcast by onnxruntime), so the fallback keeps the requested dtype.
  if (device === 'wasm') return { device: 'wasm', dtype };
  if (problem) return { device: 'wasm', dtype, skipped: problem };
  return { device: 'webgpu', dtype, fallbackDevice: 'wasm' };
}

/** How a device failed: while creating sessions (`load`), or later when its GPU device was lost (`run`). */
export type DeviceFailure =
  | { readonly phase: 'load'; readonly plan: DevicePlan; readonly message: string; readonly threads?: number; readonly retried?: boolean }
  /** onnxruntime's runtime start did not finish within WASM_INIT_TIMEOUT_MS (seen by the page). */
  | { readonly phase: 'runtime-stall'; readonly plan: DevicePlan; readonly threads: number }
  | { readonly phase: 'run'; readonly device: Device; readonly message: string };

/**
 * The one place that decides whether a failed device is replaced by another. Load time: only the
 * plan's fallback (auto -> WASM; an explicit 'webgpu' fails). Run time: a lost GPU device is gone
 * for good whatever was requested, so the instance continues on WASM rather than stop working.
 */
export function fallbackFor(failure: DeviceFailure): DeviceFallback | undefined {
  const stalled = failure.phase === 'runtime-stall' || (failure.phase === 'load' && isRuntimeInitTimeout(failure.message));
  if (stalled) {
    const threads = failure.threads ?? 1;
    // One thread cannot wait on thread workers: a stall then is not something fewer threads fix.
    if (threads <= 1) return undefined;
    return {
      code: 'WASM_THREADS_STALLED',
      device: failure.plan.device,
      threads: 1,
      reason: `onnxruntime's ${threads}-thread WebAssembly start did not finish within ${WASM_INIT_TIMEOUT_MS / 1000} s (its thread workers never came up); running single-threaded`,
    };
  }
  if (failure.phase === 'load' && failure.plan.device === 'wasm' && !failure.retried && isWasmTrap(failure.message)) {
    // Seen once in WebKit after many loads in one session; a corrupt cached file can do the same.
    return {
      code: 'WASM_RUNTIME_FAILED',
      device: 'wasm',
      verifyCache: true,
      reason: `onnxruntime's WebAssembly failed while loading (${failure.message}); loaded again in a fresh runtime after re-checking the cached files`,
    };
  }
  if (failure.phase === 'load') {
    const to = failure.plan.fallbackDevice;
    if (failure.plan.device !== 'webgpu' || to === undefined) return undefined;
    return { code: 'WEBGPU_LOAD_FAILED', device: to, reason: `WebGPU session failed: ${failure.message}` };
  }
  if (failure.phase !== 'run' || failure.device !== 'webgpu') return undefined;
  return { code: 'WEBGPU_DEVICE_LOST', device: 'wasm', reason: `The WebGPU device was lost (${failure.message}); continuing on WASM` };
}

/**
 * How long onnxruntime may take to start its multi-threaded WebAssembly runtime (compile + thread
 * workers; about 1 s on a desktop, model size plays no part). Past it the start is treated as hung:
 * Firefox, with the runtime inside our worker, sometimes never starts the nested thread workers.
 */
export const WASM_INIT_TIMEOUT_MS = 30_000;

/** A WebAssembly trap (the engines word it differently), not an error onnxruntime reported. */
export function isWasmTrap(message: string): boolean {
  return /out of bounds|unreachable|RuntimeError/i.test(message);
}

/** onnxruntime-web's own message when `env.wasm.initTimeout` expires. */
export function isRuntimeInitTimeout(message: string): boolean {
  return /initiali[sz]\w* failed due to timeout/i.test(message);
}

/** Most threads we start by default: past 8 onnxruntime-web's WASM kernels stop scaling and the page loses its cores. */
export const MAX_DEFAULT_THREADS = 8;

/**
 * The thread count handed to onnxruntime AND reported as `info.threads`, so they cannot disagree.
 * Threads need shared WebAssembly memory (thread-support.ts), which cross-origin isolation alone
 * does not guarantee; without it onnxruntime would run one thread whatever we ask for.
 */
export function chooseThreadCount(requested: number | undefined, sharedMemory: boolean, cores: number): number {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new SiglipError('INVALID_INPUT', `numThreads must be a positive integer, got ${String(requested)}`);
  }
  if (!sharedMemory) return 1;
  if (requested !== undefined) return requested;
  const known = Number.isFinite(cores) && cores >= 1 ? Math.floor(cores) : 1;
  return Math.min(MAX_DEFAULT_THREADS, known);
}
