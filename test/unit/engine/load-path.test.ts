/**
 * The engine's load path up to the ONNX sessions, with a fake network and an in-memory store:
 * one resolved model -> every request goes to its folder, through the cache, and a second load
 * is served from the store.
 */
import { describe, expect, it } from 'vitest';
import { openLoadCache } from '../../../src/engine/load-cache.js';
import { loadModelFiles } from '../../../src/engine/model-files.js';
import { TransformersRuntime } from '../../../src/engine/transformers-adapter.js';
import { resolveModelRef, type ModelRef } from '../../../src/model-ref/model-ref.js';
import type { UseStore } from '../../../src/storage/idb-store.js';
import { ModelFileCache } from '../../../src/storage/model-file-cache.js';
import type { LoadProgress } from '../../../src/types.js';
import { BASE_URL, fixtureFetch } from '../onnx/fixture-fetch.js';
import { fakeStore } from '../storage/fake-idb-store.js';

const WASM_PATHS = 'https://cdn.test/ort/';
const FIXTURE_FOLDER = `${BASE_URL}siglip-shapes/`;

/** A server that has the siglip-shapes fixture at `model.baseUrl` and records every request. */
function serverFor(model: ModelRef): { fetch: typeof fetch; requests: string[] } {
  const server = fixtureFetch({ honorRange: true });
  const requests: string[] = [];
  const fake = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    requests.push(url);
    return server.fetch(url.startsWith(model.baseUrl) ? FIXTURE_FOLDER + url.slice(model.baseUrl.length) : url, init);
  }) as typeof fetch;
  return { fetch: fake, requests };
}

const offline = (async () => {
  throw new TypeError('Failed to fetch');
}) as unknown as typeof fetch;

async function loadFiles(model: ModelRef, store: UseStore, fetch: typeof globalThis.fetch, cacheMode: 'indexeddb' | 'none' = 'indexeddb') {
  const progress: LoadProgress[] = [];
  const runtime = new TransformersRuntime({ wasmPaths: WASM_PATHS, numThreads: 1, fetch });
  const cache = await openLoadCache({ model, wasmPaths: WASM_PATHS, cache: cacheMode }, new ModelFileCache(store), runtime, (p) => progress.push(p));
  const files = await loadModelFiles(model, runtime.fetch, cache);
  const [textProcessor, logit] = await Promise.all([files.textProcessor, files.logit]);
  return { runtime, cache, files, textProcessor, logit, progress };
}

describe('load path', () => {
  it('follows the model from its one resolved identity to every request (remoteHost honoured)', async () => {
    const model = resolveModelRef('owner/shapes', { remoteHost: 'https://mirror.test/' });
    expect(model).toEqual({ id: 'owner/shapes', baseUrl: 'https://mirror.test/owner/shapes/resolve/main/', revision: 'main' });
    const server = serverFor(model);
    const { files, textProcessor, logit } = await loadFiles(model, fakeStore().store, server.fetch);

    expect(files.task).toBe('zero-shot');
    expect(files.imageProcessor.size).toEqual({ width: 224, height: 224 });
    expect(textProcessor?.encode(['a red circle']).inputIds[0]).toHaveLength(64);
    expect(Number.isFinite(logit?.logitScaleExp)).toBe(true);
    expect(Number.isFinite(logit?.logitBias)).toBe(true);
    const elsewhere = server.requests.filter((u) => !u.startsWith(model.baseUrl) && !u.startsWith(WASM_PATHS));
    expect(elsewhere).toEqual([]);
    expect(server.requests).toEqual(expect.arrayContaining([
      `${model.baseUrl}config.json`,
      `${model.baseUrl}preprocessor_config.json`,
      `${model.baseUrl}tokenizer.json`,
      `${model.baseUrl}tokenizer_config.json`,
    ]));
  });

  it('routes transformers.js requests for the model back to its folder', () => {
    const model = resolveModelRef('https://models.test/siglip-shapes');
    const other = resolveModelRef('https://models.test/other/');
    const runtime = new TransformersRuntime({ wasmPaths: WASM_PATHS, numThreads: 1, fetch: offline });
    const id = runtime.routeFor(model);
    expect(runtime.routeFor(model)).toBe(id);
    expect(runtime.routeFor(other)).not.toBe(id);
    expect(runtime.unroute(`https://siglip-web.route.invalid/${id}/onnx/vision_model.onnx`)).toBe(`${model.baseUrl}onnx/vision_model.onnx`);
    expect(runtime.unroute('https://img.test/cat.png')).toBe('https://img.test/cat.png');
  });

  it('stores what it read, and a second load with the network gone is served from the store', async () => {
    const model = resolveModelRef('https://models.test/siglip-shapes');
    const { store, data } = fakeStore();
    const first = await loadFiles(model, store, serverFor(model).fetch);
    expect(first.cache.sourceOf('preprocessor_config.json')).toBe('network');
    expect([...data.keys()]).toEqual(expect.arrayContaining([`file:${model.baseUrl}config.json`, `body:${model.baseUrl}tokenizer.json`, `logit:${model.baseUrl}`]));

    const second = await loadFiles(model, store, offline);
    expect(second.cache.sourceOf('preprocessor_config.json')).toBe('cache');
    expect(second.cache.sourceOf('tokenizer.json')).toBe('cache');
    expect(second.logit?.source).toMatch(/\(cached\)$/);
    expect(second.logit?.logitScaleExp).toBe(first.logit?.logitScaleExp);
    expect(second.textProcessor?.encode(['a red circle']).inputIds).toEqual(first.textProcessor?.encode(['a red circle']).inputIds);
    expect(second.progress.filter((p) => p.status === 'warning')).toEqual([]);
  });

  it("cache: 'none' loads the same files and leaves the store empty", async () => {
    const model = resolveModelRef('https://models.test/siglip-shapes');
    const { store, data } = fakeStore();
    const { files } = await loadFiles(model, store, serverFor(model).fetch, 'none');
    expect(files.task).toBe('zero-shot');
    expect(data.size).toBe(0);
  });

  it('a missing config.json is MODEL_LOAD naming the URL; a broken store only warns', async () => {
    const model = resolveModelRef('https://models.test/nowhere/');
    const runtime = new TransformersRuntime({ wasmPaths: WASM_PATHS, numThreads: 1, fetch: fixtureFetch({ honorRange: true }).fetch });
    const broken: UseStore = async () => { throw new Error('disk on fire'); };
    const progress: LoadProgress[] = [];
    const cache = await openLoadCache({ model, wasmPaths: WASM_PATHS }, new ModelFileCache(broken), runtime, (p) => progress.push(p));
    expect(progress.map((p) => p.warning?.code)).toEqual(['CACHE_UNAVAILABLE']);
    await expect(loadModelFiles(model, runtime.fetch, cache)).rejects.toMatchObject({ code: 'MODEL_LOAD', message: expect.stringContaining(`${model.baseUrl}config.json`) });
  });
});
