import { beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { FakeLoader, flush, scores } from './fakes.js';

// The composables use the page-wide registry; swap the SDK door for a controllable loader.
const loader = new FakeLoader();
vi.mock('../../../src/bindings/shared/sdk.js', () => ({ createSiglip: (o: object) => loader.create(o) }));
const { useClassify, useSiglip } = await import('../../../src/bindings/vue/index.js');

describe('Vue composables', () => {
  beforeEach(() => {
    loader.loads.length = 0;
  });

  it('useSiglip shares a model between scopes and disposes it after the last one stops', async () => {
    const a = effectScope();
    const b = effectScope();
    const first = a.run(() => useSiglip({ model: 'vue-share' }))!;
    const second = b.run(() => useSiglip({ model: 'vue-share' }))!;
    expect(loader.loads).toHaveLength(1);
    expect(first.status.value).toBe('loading');
    const instance = loader.finish();
    await flush();
    expect(first.status.value).toBe('ready');
    expect(second.siglip.value).toBe(instance);
    a.stop();
    await flush();
    expect(instance.disposed).toBe(0);
    b.stop();
    await flush();
    expect(instance.disposed).toBe(1);
  });

  it('useSiglip follows reactive options and loads nothing for null', async () => {
    const options = ref<{ model: string } | null>(null);
    const scope = effectScope();
    const model = scope.run(() => useSiglip(options))!;
    expect(model.status.value).toBe('idle');
    expect(loader.loads).toHaveLength(0);
    options.value = { model: 'vue-a' };
    await nextTick();
    expect(loader.loads).toHaveLength(1);
    const a = loader.finish();
    options.value = { model: 'vue-b' };
    await nextTick();
    await flush();
    expect(loader.loads).toHaveLength(2);
    expect(a.disposed).toBe(1);
    expect(model.status.value).toBe('loading');
    scope.stop();
  });

  it('useClassify re-runs when the image changes and keeps only the newest answer', async () => {
    const image = ref('one.png');
    const labels = ref(['a cat', 'a dog']);
    const scope = effectScope();
    const result = scope.run(() => useClassify(image, labels, { model: 'vue-classify' }))!;
    expect(result.loading.value).toBe(true);
    const siglip = loader.finish();
    await flush();
    expect(siglip.calls).toHaveLength(1);
    image.value = 'two.png';
    await nextTick();
    await flush();
    expect(siglip.calls).toHaveLength(2);
    expect(siglip.calls[1]!.image).toBe('two.png');
    siglip.calls[1]!.answer.resolve(scores(['a dog', 0.7]));
    siglip.calls[0]!.answer.resolve(scores(['a cat', 0.9]));
    await flush();
    expect(result.results.value).toEqual(scores(['a dog', 0.7]));
    expect(result.loading.value).toBe(false);
    labels.value.push('a car'); // in-place edits count as a change
    await nextTick();
    await flush();
    expect(siglip.calls).toHaveLength(3);
    expect(siglip.calls[2]!.labels).toEqual(['a cat', 'a dog', 'a car']);
    scope.stop();
  });
});
