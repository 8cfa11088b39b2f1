import { describe, expect, it } from 'vitest';
import { ClassifyRunner, type ClassifyState } from '../../../src/bindings/shared/classify-runner.js';
import { FakeSiglip, flush, scores } from './fakes.js';

function setup() {
  const states: ClassifyState[] = [];
  const runner = new ClassifyRunner((s) => states.push(s));
  return { runner, states, siglip: new FakeSiglip() };
}

describe('ClassifyRunner', () => {
  it('classifies once per distinct input, comparing labels by content', async () => {
    const { runner, siglip } = setup();
    runner.update({ siglip, image: 'a.png', labels: ['cat', 'dog'] });
    runner.update({ siglip, image: 'a.png', labels: ['cat', 'dog'] }); // a new array, same labels
    await flush();
    expect(siglip.calls).toHaveLength(1);
    runner.update({ siglip, image: 'a.png', labels: ['cat', 'car'] });
    runner.update({ siglip, image: 'b.png', labels: ['cat', 'car'] });
    runner.update({ siglip, image: 'b.png', labels: ['cat', 'car'], topk: 1 });
    await flush();
    expect(siglip.calls).toHaveLength(4);
    expect(siglip.calls[3]!.options?.topk).toBe(1);
  });

  it('publishes only the newest answer even when an older one arrives last', async () => {
    const { runner, siglip, states } = setup();
    runner.update({ siglip, image: 'old.png', labels: ['x'] });
    await flush();
    runner.update({ siglip, image: 'new.png', labels: ['x'] });
    await flush();
    const [older, newer] = siglip.calls;
    expect(older!.options?.signal?.aborted).toBe(true);
    newer!.answer.resolve(scores(['x', 0.9]));
    await flush();
    older!.answer.resolve(scores(['x', 0.1]));
    await flush();
    expect(runner.getState()).toEqual({ results: scores(['x', 0.9]), loading: false, error: null });
    expect(states.filter((s) => s.results?.[0]?.score === 0.1)).toHaveLength(0);
  });

  it('keeps the previous results visible while the next request runs', async () => {
    const { runner, siglip } = setup();
    runner.update({ siglip, image: 'a.png', labels: ['x'] });
    await flush();
    siglip.calls[0]!.answer.resolve(scores(['x', 0.5]));
    await flush();
    runner.update({ siglip, image: 'b.png', labels: ['x'] });
    expect(runner.getState()).toMatchObject({ loading: true, results: scores(['x', 0.5]) });
  });

  it('reports errors of the current request only', async () => {
    const { runner, siglip } = setup();
    runner.update({ siglip, image: 'a.png', labels: ['x'] });
    await flush();
    runner.update({ siglip, image: 'b.png', labels: ['x'] });
    await flush();
    siglip.calls[0]!.answer.reject(new Error('stale failure'));
    await flush();
    expect(runner.getState().error).toBeNull();
    siglip.calls[1]!.answer.reject(new Error('decode failed'));
    await flush();
    expect(runner.getState()).toMatchObject({ loading: false, results: null });
    expect(runner.getState().error?.message).toBe('decode failed');
  });

  it('goes idle without a model, an image or labels', async () => {
    const { runner, siglip } = setup();
    runner.update({ siglip: null, image: 'a.png', labels: ['x'] });
    runner.update({ siglip, image: null, labels: ['x'] });
    runner.update({ siglip, image: 'a.png', labels: [] });
    await flush();
    expect(siglip.calls).toHaveLength(0);
    expect(runner.getState()).toEqual({ results: null, loading: false, error: null });
  });

  it('ignores answers after dispose', async () => {
    const { runner, siglip, states } = setup();
    runner.update({ siglip, image: 'a.png', labels: ['x'] });
    await flush();
    const before = states.length;
    runner.dispose();
    siglip.calls[0]!.answer.resolve(scores(['x', 1]));
    await flush();
    expect(states).toHaveLength(before);
    expect(siglip.calls[0]!.options?.signal?.aborted).toBe(true);
  });
});
