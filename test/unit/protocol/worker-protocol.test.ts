/**
 * The page <-> worker protocol end to end over a real MessageChannel: the page side is
 * client/worker-engine.ts, the worker side worker/expose-engine.ts, the contract protocol/engine-protocol.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerEngine } from '../../../src/client/worker-engine.js';
import { SiglipError } from '../../../src/errors.js';
import { ENGINE_WORKER_NAME, type EngineApi, type EngineLoadOptions } from '../../../src/protocol/engine-protocol.js';
import type { LoadProgress, SiglipInfo } from '../../../src/types.js';
import { exposeEngine } from '../../../src/worker/expose-engine.js';

const OPTIONS: EngineLoadOptions = {
  model: { id: 'owner/name', baseUrl: 'https://hub.test/owner/name/resolve/main/' },
  device: 'auto',
  dtype: 'auto',
  template: 'This is a photo of {label}.',
  wasmPaths: 'https://cdn.test/ort/',
};

const INFO: SiglipInfo = {
  model: 'owner/name', device: 'wasm', dtype: 'fp32', threads: 1, task: 'zero-shot', imageSize: { width: 224, height: 224 }, worker: true,
};

/** An engine whose calls record what arrived and answer with `behaviour`. */
function fakeEngine(behaviour: Partial<EngineApi> = {}): EngineApi & { seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    load: async (options, onProgress) => {
      seen.push(options);
      await onProgress?.({ status: 'progress', file: 'onnx/vision_model.onnx', loaded: 5, total: 10, totalLoaded: 5, totalBytes: 10 });
      return INFO;
    },
    classify: async (images, labels, template, topk) => {
      seen.push({ images, labels, template, topk });
      return images.map(() => (labels ?? []).map((label) => ({ label, score: 0.5 })));
    },
    embedImages: async (images) => images.map(() => new Float32Array([1, 2, 3])),
    embedTexts: async (texts) => texts.map((_, i) => new Float32Array([i])),
    library: (async () => undefined) as unknown as EngineApi['library'],
    dispose: async () => undefined,
    ...behaviour,
  };
}

const open: MessageChannel[] = [];
afterEach(() => {
  for (const channel of open.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

/** A WorkerEngine whose "worker" is one end of a MessageChannel served by exposeEngine on the other. */
function connect(engine: EngineApi): { client: WorkerEngine; started: { url: string; options: WorkerOptions }[] } {
  const channel = new MessageChannel();
  open.push(channel);
  exposeEngine(engine, channel.port1 as unknown as Parameters<typeof exposeEngine>[1]);
  const started: { url: string; options: WorkerOptions }[] = [];
  const client = new WorkerEngine('https://app.test/siglip-web.worker.js', (url, options) => {
    started.push({ url, options });
    return Object.assign(channel.port2, { terminate: () => channel.port2.close() }) as unknown as Worker;
  });
  return { client, started };
}

describe('worker protocol', () => {
  it('starts a module worker with the engine name the worker entry checks', () => {
    const { started } = connect(fakeEngine());
    expect(started).toEqual([{ url: 'https://app.test/siglip-web.worker.js', options: { type: 'module', name: ENGINE_WORKER_NAME } }]);
  });

  it('a threaded runtime start that blocks the worker is stopped after stallAfterMs and rejects with the one-thread fallback', async () => {
    const onStall = { code: 'WASM_THREADS_STALLED', device: 'wasm', threads: 1, reason: "onnxruntime's 4-thread WebAssembly start did not finish" } as const;
    const { client } = connect(fakeEngine({
      load: async (_options, _onProgress, onStage) => {
        await onStage?.({ stage: 'runtime-start', stallAfterMs: 50, onStall });
        return new Promise<SiglipInfo>(() => undefined); // blocked for good, as onnxruntime's start in Firefox
      },
    }));
    const err = await client.load(OPTIONS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiglipError);
    expect((err as SiglipError).fallback).toEqual(onStall);
    expect(client.dead).toBe(true);
  });

  it('a runtime start that finishes in time, or one with nowhere to fall back to, is never stopped', async () => {
    const { client } = connect(fakeEngine({
      load: async (_options, _onProgress, onStage) => {
        await onStage?.({ stage: 'runtime-start', stallAfterMs: 20, onStall: { code: 'WASM_THREADS_STALLED', device: 'wasm', threads: 1, reason: 'r' } });
        await onStage?.({ stage: 'runtime-ready' });
        await onStage?.({ stage: 'runtime-start', stallAfterMs: 20 });
        await new Promise((r) => setTimeout(r, 80));
        return INFO;
      },
    }));
    await expect(client.load(OPTIONS)).resolves.toEqual(INFO);
    expect(client.dead).toBe(false);
  });

  it('load carries the resolved model and returns info; progress callbacks reach the page', async () => {
    const engine = fakeEngine();
    const { client } = connect(engine);
    const progress: LoadProgress[] = [];
    await expect(client.load(OPTIONS, (p) => progress.push(p))).resolves.toEqual(INFO);
    expect(engine.seen[0]).toEqual(OPTIONS);
    expect(progress).toEqual([{ status: 'progress', file: 'onnx/vision_model.onnx', loaded: 5, total: 10, totalLoaded: 5, totalBytes: 10 }]);
  });

  it('calls pass their arguments through and embeddings come back as Float32Arrays', async () => {
    const engine = fakeEngine();
    const { client } = connect(engine);
    const scores = await client.classify([{ kind: 'url', url: 'https://img.test/cat.png' }], ['a cat', 'a dog'], null, 1);
    expect(scores).toEqual([[{ label: 'a cat', score: 0.5 }, { label: 'a dog', score: 0.5 }]]);
    expect(engine.seen[0]).toEqual({ images: [{ kind: 'url', url: 'https://img.test/cat.png' }], labels: ['a cat', 'a dog'], template: null, topk: 1 });
    const rows = await client.embedImages([{ kind: 'url', url: 'https://img.test/a.png' }], true);
    expect(rows[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(rows[0]!)).toEqual([1, 2, 3]);
    expect((await client.embedTexts(['a', 'b'], false, true)).map((r) => Array.from(r))).toEqual([[0], [1]]);
  });

  it('a SiglipError thrown in the worker arrives with its code, message, detail and device fallback', async () => {
    const fallback = { code: 'WEBGPU_LOAD_FAILED', device: 'wasm', reason: 'WebGPU session failed: no adapter' } as const;
    const { client } = connect(fakeEngine({ load: async () => { throw SiglipError.deviceFallback(fallback, 'no adapter'); } }));
    const err = await client.load(OPTIONS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiglipError);
    expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: fallback.reason, detail: 'no adapter', fallback });
  });

  it('anything else thrown in the worker arrives as INTERNAL with the original message', async () => {
    const { client } = connect(fakeEngine({ embedTexts: async () => { throw new RangeError('offset out of bounds'); } }));
    const err = await client.embedTexts(['x'], false, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiglipError);
    expect((err as SiglipError).code).toBe('INTERNAL');
    expect((err as SiglipError).message).toContain('offset out of bounds');
  });

  it('terminate rejects the call in flight with the given reason and marks the engine dead', async () => {
    const { client } = connect(fakeEngine({ classify: () => new Promise(() => undefined) }));
    const pending = client.classify([{ kind: 'url', url: 'https://img.test/a.png' }], ['x'], null, null);
    client.terminate(new SiglipError('ABORTED', 'stopped by the test'));
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED', message: 'stopped by the test' });
    expect(client.dead).toBe(true);
    await expect(client.embedTexts(['x'], false, true)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
