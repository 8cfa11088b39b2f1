import { describe, expect, it } from 'vitest';
import { loadWithProgressFirst } from '../../../src/worker/expose-engine.js';
import type { EngineApi } from '../../../src/protocol/engine-protocol.js';
import type { LoadProgress } from '../../../src/types.js';

const event = (status: LoadProgress['status']): LoadProgress => ({ status, file: '', loaded: 0, total: 0, totalLoaded: 0, totalBytes: 0 });

/** An engine that reports progress then answers, like the real one. */
function engineEmitting(statuses: LoadProgress['status'][]): EngineApi {
  return {
    load: async (_options, onProgress) => {
      for (const s of statuses) onProgress?.(event(s));
      return { model: 'm' } as unknown as Awaited<ReturnType<EngineApi['load']>>;
    },
  } as EngineApi;
}

describe('load answers only after the page ran its progress callbacks', () => {
  it('waits for the last (ready) callback to be delivered, as over comlink', async () => {
    const seen: string[] = [];
    let deliver!: () => void;
    const delivered = new Promise<void>((r) => { deliver = r; });
    // Over comlink each call returns a promise that settles once the page ran the callback.
    const remoteCallback = (p: LoadProgress): Promise<void> => delivered.then(() => { seen.push(p.status); });
    const never = () => new Promise<void>(() => undefined);
    const load = loadWithProgressFirst(engineEmitting(['initiate', 'done', 'ready']), {} as never, remoteCallback as never, never).then(() => seen.slice());
    setTimeout(deliver, 5);
    expect(await load).toEqual(['initiate', 'done', 'ready']);
  });

  it('does not wait forever for a page whose callback never returns', async () => {
    const stuck = (): Promise<void> => new Promise(() => undefined);
    const info = await loadWithProgressFirst(engineEmitting(['ready']), {} as never, stuck as never, () => Promise.resolve());
    expect(info).toEqual({ model: 'm' });
  });

  it('a throwing callback does not fail the load', async () => {
    const throwing = (): Promise<void> => Promise.reject(new Error('page bug'));
    await expect(loadWithProgressFirst(engineEmitting(['ready']), {} as never, throwing as never)).resolves.toEqual({ model: 'm' });
  });
});
