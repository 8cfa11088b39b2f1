import { describe, expect, it } from 'vitest';
import { ModelRegistry, type Scheduler } from '../../../src/bindings/shared/model-registry.js';
import type { ModelState } from '../../../src/bindings/shared/model-state.js';
import { FakeLoader, flush } from './fakes.js';

/** A scheduler the test drives, to check what happens before and after "the next tick". */
function manualScheduler(): { schedule: Scheduler; runAll(): void; pending(): number } {
  const jobs = new Set<() => void>();
  return {
    schedule: (fn) => {
      jobs.add(fn);
      return () => jobs.delete(fn);
    },
    runAll: () => {
      const now = [...jobs];
      jobs.clear();
      now.forEach((fn) => fn());
    },
    pending: () => jobs.size,
  };
}

describe('ModelRegistry', () => {
  it('shares one load between users of equal options', async () => {
    const loader = new FakeLoader();
    const registry = new ModelRegistry(loader.create);
    const a = registry.acquire({ model: 'm', dtype: 'q8' });
    const b = registry.acquire({ dtype: 'q8', model: 'm', onProgress: () => undefined });
    expect(loader.loads).toHaveLength(1);
    expect(a.key).toBe(b.key);
    const seen: ModelState[] = [];
    b.subscribe((s) => seen.push(s));
    expect(a.getState().status).toBe('loading');
    const instance = loader.finish();
    await flush();
    expect(a.getState()).toMatchObject({ status: 'ready', siglip: instance, progress: 1 });
    expect(seen.at(-1)?.siglip).toBe(instance);
  });

  it('loads separately for different options', () => {
    const loader = new FakeLoader();
    const registry = new ModelRegistry(loader.create);
    registry.acquire({ model: 'm', dtype: 'q8' });
    registry.acquire({ model: 'm', dtype: 'fp32' });
    expect(loader.loads).toHaveLength(2);
  });

  it('disposes only after the last release, one tick later', async () => {
    const loader = new FakeLoader();
    const ticks = manualScheduler();
    const registry = new ModelRegistry(loader.create, ticks.schedule);
    const a = registry.acquire({ model: 'm' });
    const b = registry.acquire({ model: 'm' });
    const instance = loader.finish();
    await flush();
    a.release();
    a.release(); // idempotent: must not steal b's hold
    expect(ticks.pending()).toBe(0);
    b.release();
    expect(instance.disposed).toBe(0);
    ticks.runAll();
    expect(instance.disposed).toBe(1);
    expect(registry.size).toBe(0);
  });

  it('reuses the instance when a user re-acquires within the tick (StrictMode remount)', async () => {
    const loader = new FakeLoader();
    const ticks = manualScheduler();
    const registry = new ModelRegistry(loader.create, ticks.schedule);
    const first = registry.acquire({ model: 'm' });
    const instance = loader.finish();
    await flush();
    first.release();
    const second = registry.acquire({ model: 'm' });
    ticks.runAll();
    expect(instance.disposed).toBe(0);
    expect(loader.loads).toHaveLength(1);
    expect(second.getState().siglip).toBe(instance);
  });

  it('aborts a load nobody waits for and disposes the instance if it still arrives', async () => {
    const loader = new FakeLoader();
    const ticks = manualScheduler();
    const registry = new ModelRegistry(loader.create, ticks.schedule);
    const lease = registry.acquire({ model: 'm' });
    lease.release();
    ticks.runAll();
    expect(loader.loads[0]!.options.signal?.aborted).toBe(true);
    const late = loader.finish();
    await flush();
    expect(late.disposed).toBe(1);
    // A new user gets a fresh load, not the aborted one.
    registry.acquire({ model: 'm' });
    expect(loader.loads).toHaveLength(2);
  });

  it('reports failures and retries after everybody left', async () => {
    const loader = new FakeLoader();
    const ticks = manualScheduler();
    const registry = new ModelRegistry(loader.create, ticks.schedule);
    const lease = registry.acquire({ model: 'm' });
    loader.loads[0]!.done.reject(new Error('404 config.json'));
    await flush();
    expect(lease.getState()).toMatchObject({ status: 'error', siglip: null });
    expect(lease.getState().error?.message).toBe('404 config.json');
    lease.release();
    ticks.runAll();
    registry.acquire({ model: 'm' });
    expect(loader.loads).toHaveLength(2);
  });

  it('forwards progress to every holder and publishes a 0..1 fraction', () => {
    const loader = new FakeLoader();
    const registry = new ModelRegistry(loader.create);
    const gotA: number[] = [];
    const gotB: number[] = [];
    const a = registry.acquire({ model: 'm' }, (p) => gotA.push(p.totalLoaded));
    registry.acquire({ model: 'm' }, (p) => gotB.push(p.totalLoaded));
    loader.progress(0, { totalLoaded: 25, totalBytes: 100 });
    expect(gotA).toEqual([25]);
    expect(gotB).toEqual([25]);
    expect(a.getState().progress).toBeCloseTo(0.25);
    expect(a.getState().lastProgress?.totalBytes).toBe(100);
  });

  it('stops notifying a released lease', async () => {
    const loader = new FakeLoader();
    const registry = new ModelRegistry(loader.create);
    const a = registry.acquire({ model: 'm' });
    registry.acquire({ model: 'm' });
    let calls = 0;
    a.subscribe(() => calls++);
    a.release();
    loader.finish();
    await flush();
    expect(calls).toBe(0);
  });
});
