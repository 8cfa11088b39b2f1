import { describe, expect, it } from 'vitest';
import { EngineSupervisor, type SupervisedEngine } from '../../../src/client/engine-supervisor.js';
import { MAX_BATCH_IMAGES, RequestQueue } from '../../../src/client/request-queue.js';
import type { EngineLoadOptions, WireImage } from '../../../src/protocol/engine-protocol.js';
import { SiglipError } from '../../../src/errors.js';
import type { SiglipInfo } from '../../../src/types.js';

const INFO: SiglipInfo = { model: 'm', device: 'wasm', dtype: 'fp32', threads: 1, task: 'zero-shot', imageSize: { width: 2, height: 2 }, worker: true };
const LOAD: EngineLoadOptions = { model: { id: 'm', baseUrl: 'http://x/' }, device: 'wasm', dtype: 'fp32', template: '{label}', wasmPaths: 'http://x/ort/' };
const url = (n: number): WireImage => ({ kind: 'url', url: `http://x/${n}.png` });
const tick = () => new Promise((r) => setTimeout(r, 0));

/** A fake engine whose answers are a pure function of the input, so merged and single calls must agree. */
class FakeEngine implements SupervisedEngine {
  calls: number[] = [];
  dead = false;
  failOn?: (url: string) => SiglipError | undefined;
  gate?: Promise<void>;
  async load() { return INFO; }
  async classify(images: WireImage[], labels: string[] | null) {
    this.calls.push(images.length);
    await this.gate;
    if (this.dead) throw new SiglipError('WORKER_CRASHED', 'gone');
    for (const i of images) {
      const err = this.failOn?.((i as { url: string }).url);
      if (err) throw err;
    }
    return images.map((i) => (labels ?? []).map((label) => ({ label, score: (i as { url: string }).url.length + label.length })));
  }
  async embedImages(images: WireImage[]) { this.calls.push(images.length); return images.map((i) => Float32Array.of((i as { url: string }).url.length)); }
  async embedTexts(texts: string[]) { this.calls.push(texts.length); await this.gate; return texts.map((t) => Float32Array.of(t.length)); }
  async dispose() { this.dead = true; }
  terminate() { this.dead = true; }
}

function setup(engines: FakeEngine[] = [new FakeEngine()]) {
  let next = 1;
  const supervisor = new EngineSupervisor(async () => engines[next++] ?? new FakeEngine(), LOAD, engines[0]!, INFO);
  return { queue: new RequestQueue(supervisor), supervisor, engine: engines[0]! };
}

describe('RequestQueue', () => {
  it('merges queued calls with the same parameters, bounded per engine call, results split correctly', async () => {
    const { queue, engine } = setup();
    const ps = Array.from({ length: 100 }, (_, i) => queue.submit({ kind: 'classify', images: [url(i)], labels: ['a', 'bb'], template: null, topk: null }, undefined, 'c'));
    const rows = await Promise.all(ps);
    rows.forEach((r, i) => expect(r).toEqual([[{ label: 'a', score: `http://x/${i}.png`.length + 1 }, { label: 'bb', score: `http://x/${i}.png`.length + 2 }]]));
    expect(engine.calls.length).toBeLessThanOrEqual(Math.ceil(100 / MAX_BATCH_IMAGES) + 1);
    expect(Math.max(...engine.calls)).toBeLessThanOrEqual(MAX_BATCH_IMAGES);
    expect(engine.calls.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('does not merge calls with different labels', async () => {
    const { queue, engine } = setup();
    await Promise.all([
      queue.submit({ kind: 'classify', images: [url(0)], labels: ['a'], template: null, topk: null }, undefined, 'c'),
      queue.submit({ kind: 'classify', images: [url(1)], labels: ['b'], template: null, topk: null }, undefined, 'c'),
      queue.submit({ kind: 'classify', images: [url(2)], labels: ['a'], template: null, topk: 1 }, undefined, 'c'),
    ]);
    expect(engine.calls).toEqual([1, 1, 1]);
  });

  it('an aborted queued call never reaches the engine; a running one rejects at once', async () => {
    const { queue, engine } = setup();
    let open!: () => void;
    engine.gate = new Promise((r) => { open = r; });
    const running = new AbortController();
    const queued = new AbortController();
    const a = queue.submit({ kind: 'classify', images: [url(0)], labels: ['a'], template: null, topk: null }, running.signal, 'first');
    const b = queue.submit({ kind: 'classify', images: [url(1), url(2)], labels: ['a'], template: null, topk: null }, queued.signal, 'second');
    const c = queue.submit({ kind: 'embedTexts', texts: ['xyz'], template: false, normalize: true }, undefined, 'third');
    await tick();
    queued.abort();
    running.abort();
    await expect(a).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(b).rejects.toMatchObject({ code: 'ABORTED' });
    open();
    expect(await c).toEqual([Float32Array.of(3)]);
    expect(engine.calls).toEqual([1, 1]);
  });

  it('calls in flight when the worker dies are retried once on a restarted engine', async () => {
    const first = new FakeEngine();
    const second = new FakeEngine();
    const { queue, supervisor } = setup([first, second]);
    first.dead = true;
    const r = await queue.submit({ kind: 'classify', images: [url(7)], labels: ['a'], template: null, topk: null }, undefined, 'c');
    expect(r[0]).toEqual([{ label: 'a', score: 'http://x/7.png'.length + 1 }]);
    expect(supervisor.restarts).toBe(1);
    expect(second.calls).toEqual([1]);
  });

  it('an error from one member of a merged call reaches only that member', async () => {
    const { queue, engine } = setup();
    engine.failOn = (u) => (u.endsWith('/13.png') ? new SiglipError('IMAGE_DECODE', 'bad 13') : undefined);
    const ps = Array.from({ length: 20 }, (_, i) => queue.submit({ kind: 'embedImages', images: [url(i)], normalize: true }, undefined, 'e').then(() => 'ok', (e: SiglipError) => e.code));
    // embedImages has no failOn; use classify for the failing case.
    const cs = Array.from({ length: 20 }, (_, i) => queue.submit({ kind: 'classify', images: [url(i)], labels: ['a'], template: null, topk: null }, undefined, 'c').then(() => 'ok', (e: SiglipError) => e.code));
    expect(await Promise.all(ps)).toEqual(Array(20).fill('ok'));
    const codes = await Promise.all(cs);
    expect(codes.filter((c) => c !== 'ok')).toEqual(['IMAGE_DECODE']);
    expect(codes[13]).toBe('IMAGE_DECODE');
  });

  it('dispose rejects queued and running calls with DISPOSED and refuses new ones', async () => {
    const { queue, engine } = setup();
    engine.gate = new Promise(() => undefined);
    const ps = Array.from({ length: 5 }, (_, i) => queue.submit({ kind: 'embedTexts', texts: [`t${i}`], template: false, normalize: true }, undefined, 't'));
    await tick();
    queue.dispose();
    for (const p of ps) await expect(p).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(queue.submit({ kind: 'embedTexts', texts: ['x'], template: false, normalize: true }, undefined, 't')).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});
