import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelFileCache } from '../../../src/storage/model-file-cache.js';
import { guardStore } from '../../../src/storage/store-guard.js';
import type { CacheWarning } from '../../../src/types.js';
import { fakeStore } from './fake-idb-store.js';

const BASE = 'https://models.example/m/';
const CONFIG = JSON.stringify({ architectures: ['SiglipModel'] });

/** The network: counts requests, answers config.json with a correct Content-Length. */
function network() {
  const calls: string[] = [];
  const next = (async (input: string | URL | Request) => {
    calls.push(String(input));
    return new Response(CONFIG, { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(new TextEncoder().encode(CONFIG).length) } });
  }) as typeof fetch;
  return { calls, next };
}

async function visit(store: ReturnType<typeof fakeStore>['store'], net: ReturnType<typeof network>) {
  const cache = new ModelFileCache(guardStore(store).store);
  const warnings: CacheWarning[] = [];
  cache.onWarning((w) => warnings.push(w));
  cache.registerFolder(BASE, 'model', 'm');
  const enabled = await cache.configure({ enabled: true, verify: false });
  const body = await (await cache.cachedFetch(`${BASE}config.json`, undefined, net.next)).text();
  return { enabled, body, warnings, source: cache.sourceOf(`${BASE}config.json`) };
}

// The cache only runs where IndexedDB exists; the fake store stands in for it.
const hadIndexedDb = 'indexedDB' in globalThis;
beforeEach(() => { if (!hadIndexedDb) (globalThis as { indexedDB?: unknown }).indexedDB = {}; });
afterEach(() => { if (!hadIndexedDb) delete (globalThis as { indexedDB?: unknown }).indexedDB; });

describe('model cache on a store that refuses Blobs (WebKit private browsing)', () => {
  it('stores bodies as ArrayBuffers, serves them on the next visit, and warns about nothing', async () => {
    const fake = fakeStore({ refuseBlobs: true });
    const net = network();
    const first = await visit(fake.store, net);
    expect(first).toMatchObject({ enabled: true, body: CONFIG, source: 'network', warnings: [] });
    expect(fake.data.get(`body:${BASE}config.json`)).toBeInstanceOf(ArrayBuffer);

    const second = await visit(fake.store, net);
    expect(second).toMatchObject({ enabled: true, body: CONFIG, source: 'cache', warnings: [] });
    expect(net.calls).toHaveLength(1);
  });

  it('where nothing can be stored: loads uncached and says why exactly once', async () => {
    const net = network();
    const visitResult = await visit(fakeStore({ refuseWrites: true }).store, net);
    expect(visitResult).toMatchObject({ enabled: false, body: CONFIG, source: 'network' });
    expect(visitResult.warnings.map((w) => w.code)).toEqual(['CACHE_UNAVAILABLE']);
    expect(visitResult.warnings[0]?.message).toMatch(/refuses model files .*Error preparing Blob.*downloaded again/);
  });

  it('keeps Blobs where the store takes them', async () => {
    const fake = fakeStore();
    await visit(fake.store, network());
    expect(fake.data.get(`body:${BASE}config.json`)).toBeInstanceOf(Blob);
  });
});
