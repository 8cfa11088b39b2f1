/**
 * transformers.js treats `'gpu' in navigator` as "WebGPU available", but browsers expose
 * `navigator.gpu` and then hand out no adapter (blocklisted GPUs, headless, software-only setups).
 * Asking for an adapter is the only honest probe.
 */
export interface WebGpuProbe {
  readonly available: boolean;
  readonly shaderF16: boolean;
  /** Why WebGPU cannot be used; set when `available` is false. */
  readonly reason?: string;
  readonly adapter?: { readonly vendor: string; readonly architecture: string; readonly isFallbackAdapter: boolean };
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  readonly features: { has(name: string): boolean };
  readonly info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}

export async function probeWebGpu(nav: unknown = globalThis.navigator): Promise<WebGpuProbe> {
  const gpu = (nav as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu || typeof gpu.requestAdapter !== 'function') {
    return { available: false, shaderF16: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { available: false, shaderF16: false, reason: `navigator.gpu.requestAdapter() failed: ${String(err)}` };
  }
  if (!adapter) {
    return {
      available: false,
      shaderF16: false,
      reason: 'navigator.gpu.requestAdapter() returned no adapter (GPU blocklisted, disabled or absent)',
    };
  }
  const info = adapter.info ?? {};
  return {
    available: true,
    shaderF16: adapter.features.has('shader-f16'),
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
    },
  };
}
