import { describe, expect, it } from 'vitest';
import { chooseThreadCount, fallbackFor, planDevices, resolveDtype, type DevicePlan } from '../../../src/backend/device-plan.js';
import { optionsAfterFallback } from '../../../src/protocol/engine-protocol.js';
import type { WebGpuProbe } from '../../../src/backend/webgpu-probe.js';
import { SiglipError } from '../../../src/errors.js';

const gpu: WebGpuProbe = { available: true, shaderF16: true };
const gpuWithoutF16: WebGpuProbe = { available: true, shaderF16: false };
const noGpu: WebGpuProbe = { available: false, shaderF16: false, reason: 'no adapter (blocklisted GPU)' };

function thrown(fn: () => unknown): SiglipError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SiglipError) return err;
    throw err;
  }
  throw new Error('expected a SiglipError');
}

describe('planDevices', () => {
  it("auto with a working adapter tries WebGPU and may fall back to WASM in a fresh engine", () => {
    expect(planDevices('auto', 'auto', gpu)).toEqual({ device: 'webgpu', dtype: 'fp32', fallbackDevice: 'wasm' });
  });

  it('auto without an adapter plans WASM and records why WebGPU was skipped', () => {
    expect(planDevices('auto', 'q8', noGpu)).toEqual({
      device: 'wasm',
      dtype: 'q8',
      skipped: { code: 'WEBGPU_UNAVAILABLE', device: 'wasm', reason: 'no adapter (blocklisted GPU)' },
    });
  });

  it('a half-precision dtype skips an adapter without shader-f16 but keeps the dtype on WASM', () => {
    const plan = planDevices('auto', 'fp16', gpuWithoutF16);
    expect(plan.device).toBe('wasm');
    expect(plan.dtype).toBe('fp16');
    expect(plan.skipped?.code).toBe('WEBGPU_NO_SHADER_F16');
    expect(plan.skipped?.reason).toMatch(/shader-f16/);
    // fp32 does not need the feature.
    expect(planDevices('auto', 'fp32', gpuWithoutF16).device).toBe('webgpu');
  });

  it("explicit 'webgpu' never falls back: unusable WebGPU is BACKEND_UNAVAILABLE up front", () => {
    expect(planDevices('webgpu', 'fp16', gpu)).toEqual({ device: 'webgpu', dtype: 'fp16' });
    const err = thrown(() => planDevices('webgpu', 'auto', noGpu));
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toMatch(/no adapter.*Use device 'auto'/);
    expect(thrown(() => planDevices('webgpu', 'q4f16', gpuWithoutF16)).message).toMatch(/shader-f16/);
  });

  it("explicit 'wasm' ignores the probe", () => {
    expect(planDevices('wasm', 'auto', gpu)).toEqual({ device: 'wasm', dtype: 'fp32' });
    expect(planDevices('wasm', 'auto', noGpu)).toEqual({ device: 'wasm', dtype: 'fp32' });
  });

  it('auto dtype is fp32 (the precision that matches Python)', () => {
    expect(resolveDtype('auto')).toBe('fp32');
    expect(resolveDtype('q4')).toBe('q4');
  });
});

describe('fallbackFor: the one decision for load time and run time', () => {
  const autoPlan: DevicePlan = planDevices('auto', 'auto', gpu);
  const webgpuPlan: DevicePlan = planDevices('webgpu', 'auto', gpu);
  const wasmPlan: DevicePlan = planDevices('wasm', 'auto', gpu);

  it('a WebGPU load failure under auto continues on WASM, with the reason', () => {
    expect(fallbackFor({ phase: 'load', plan: autoPlan, message: 'no kernel for Gelu' })).toEqual({
      code: 'WEBGPU_LOAD_FAILED',
      device: 'wasm',
      reason: 'WebGPU session failed: no kernel for Gelu',
    });
  });

  it("a load failure is the caller's error when WebGPU was explicit or the device was WASM", () => {
    expect(fallbackFor({ phase: 'load', plan: webgpuPlan, message: 'x' })).toBeUndefined();
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message: 'x' })).toBeUndefined();
  });

  it('a threaded runtime start that timed out continues on the same device with one thread', () => {
    // onnxruntime-web's message when env.wasm.initTimeout expires.
    const message = 'WebAssembly backend initializing failed due to timeout: 20000ms';
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message, threads: 4 })).toEqual({
      code: 'WASM_THREADS_STALLED',
      device: 'wasm',
      threads: 1,
      reason: "onnxruntime's 4-thread WebAssembly start did not finish within 30 s (its thread workers never came up); running single-threaded",
    });
    expect(fallbackFor({ phase: 'load', plan: autoPlan, message, threads: 2 })).toMatchObject({ code: 'WASM_THREADS_STALLED', device: 'webgpu', threads: 1 });
  });

  it('a single-threaded start that timed out, or another failure with threads, has no thread fallback', () => {
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message: 'WebAssembly backend initializing failed due to timeout: 20000ms', threads: 1 })).toBeUndefined();
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message: 'protobuf parsing failed', threads: 4 })).toBeUndefined();
  });

  it('the load options after a thread fallback ask for one thread and keep everything else', () => {
    const options = { model: { id: 'm', baseUrl: 'https://h/m/' }, device: 'wasm', dtype: 'auto', template: 't', wasmPaths: 'https://h/ort/', numThreads: 4 } as const;
    const next = optionsAfterFallback(options, fallbackFor({ phase: 'load', plan: wasmPlan, message: 'initializing failed due to timeout: 1ms', threads: 4 })!);
    expect(next).toMatchObject({ device: 'wasm', numThreads: 1, dtype: 'auto', wasmPaths: 'https://h/ort/' });
    expect(next.fallbackReason).toMatch(/single-threaded/);
  });

  it('a WebAssembly trap while loading on WASM is loaded once more in a fresh runtime, re-checking the cache', () => {
    const message = "Out of bounds memory access (evaluating 'h(...g)')";
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message, threads: 1 })).toEqual({
      code: 'WASM_RUNTIME_FAILED',
      device: 'wasm',
      verifyCache: true,
      reason: `onnxruntime's WebAssembly failed while loading (${message}); loaded again in a fresh runtime after re-checking the cached files`,
    });
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message: 'RuntimeError: memory access out of bounds' })?.code).toBe('WASM_RUNTIME_FAILED');
    // Once only; and a plain load error is the caller's.
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message, retried: true })).toBeUndefined();
    expect(fallbackFor({ phase: 'load', plan: wasmPlan, message: '404 for onnx/vision_model.onnx' })).toBeUndefined();
    const options = { model: { id: 'm', baseUrl: 'https://h/m/' }, device: 'wasm', dtype: 'auto', template: 't', wasmPaths: 'https://h/ort/' } as const;
    expect(optionsAfterFallback(options, fallbackFor({ phase: 'load', plan: wasmPlan, message })!)).toMatchObject({ device: 'wasm', verifyCache: true });
  });

  it('a lost GPU device at run time always continues on WASM', () => {
    expect(fallbackFor({ phase: 'run', device: 'webgpu', message: 'destroyed: device destroyed' })).toEqual({
      code: 'WEBGPU_DEVICE_LOST',
      device: 'wasm',
      reason: 'The WebGPU device was lost (destroyed: device destroyed); continuing on WASM',
    });
    expect(fallbackFor({ phase: 'run', device: 'wasm', message: 'x' })).toBeUndefined();
  });

  it('the fallback travels as a typed field of a BACKEND_UNAVAILABLE error and survives serialization', () => {
    const fallback = fallbackFor({ phase: 'load', plan: autoPlan, message: 'boom' })!;
    const err = SiglipError.deviceFallback(fallback, 'boom');
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toBe(fallback.reason);
    const back = SiglipError.fromSerialized(JSON.parse(JSON.stringify(err.toJSON())));
    expect(back.fallback).toEqual(fallback);
    expect(back.detail).toBe('boom');
    expect(new SiglipError('BACKEND_UNAVAILABLE', 'plain').fallback).toBeUndefined();
  });
});

describe('chooseThreadCount', () => {
  it('uses one thread unless cross-origin isolated, then the cores up to 8 or the request', () => {
    expect(chooseThreadCount(undefined, false, 16)).toBe(1);
    expect(chooseThreadCount(4, false, 16)).toBe(1);
    expect(chooseThreadCount(undefined, true, 16)).toBe(8);
    expect(chooseThreadCount(undefined, true, 2)).toBe(2);
    expect(chooseThreadCount(3, true, 16)).toBe(3);
    expect(thrown(() => chooseThreadCount(0, true, 4)).code).toBe('INVALID_INPUT');
  });
});
