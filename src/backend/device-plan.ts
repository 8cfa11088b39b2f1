import { SiglipError } from '../errors.js';
import type { Device, DeviceOption, Dtype, DtypeOption } from '../types.js';
import type { WebGpuProbe } from './webgpu-probe.js';

/** What to try, in order; the engine walks the list and records why earlier entries failed. */
export interface DevicePlan {
  readonly attempts: readonly { readonly device: Device; readonly dtype: Dtype }[];
  /** Why WebGPU was skipped before anything was tried (no adapter, no shader-f16). */
  readonly skippedReason?: string;
}

const HALF_PRECISION: ReadonlySet<Dtype> = new Set<Dtype>(['fp16', 'q4f16']);

/**
 * `auto` dtype is fp32: it is the only precision that reproduces Python transformers' scores within
 * 1e-4; smaller dtypes are an explicit opt-in.
 */
export function resolveDtype(dtype: DtypeOption): Dtype {
  return dtype === 'auto' ? 'fp32' : dtype;
}

export function planDevices(device: DeviceOption, dtypeOption: DtypeOption, probe: WebGpuProbe): DevicePlan {
  const dtype = resolveDtype(dtypeOption);
  const needsF16 = HALF_PRECISION.has(dtype);
  let webgpuProblem: string | undefined;
  if (!probe.available) webgpuProblem = probe.reason ?? 'WebGPU is not available';
  else if (needsF16 && !probe.shaderF16) {
    webgpuProblem = `dtype '${dtype}' needs the WebGPU feature 'shader-f16', which this adapter lacks`;
  }

  if (device === 'webgpu') {
    if (webgpuProblem) {
      throw new SiglipError('BACKEND_UNAVAILABLE', `device 'webgpu' was requested but cannot be used: ${webgpuProblem}. Use device 'auto' to fall back to WASM.`);
    }
    return { attempts: [{ device: 'webgpu', dtype }] };
  }
  // fp16 weights run on WASM too (upcast by onnxruntime), so the fallback keeps the requested dtype.
  const wasm = { device: 'wasm' as const, dtype };
  if (device === 'wasm') return { attempts: [wasm] };
  if (webgpuProblem) return { attempts: [wasm], skippedReason: webgpuProblem };
  return { attempts: [{ device: 'webgpu', dtype }, wasm] };
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
