import { describe, expect, it } from 'vitest';
import { parseLabels, parseThreshold, selectTags } from '../../../src/autotag/tag-selection.js';
import { scores } from './fakes.js';

describe('autoTag helpers', () => {
  it('parses comma-separated labels', () => {
    expect(parseLabels(' cat, dog ,, car ,cat')).toEqual(['cat', 'dog', 'car']);
    expect(parseLabels('')).toEqual([]);
    expect(parseLabels(undefined)).toEqual([]);
  });

  it('keeps labels at or above the threshold, best first, at most topk', () => {
    const s = scores(['a', 0.05], ['b', 0.5], ['c', 0.1], ['d', 0.3]);
    expect(selectTags(s, 0.1).map((t) => t.label)).toEqual(['b', 'd', 'c']);
    expect(selectTags(s, 0.1, 2).map((t) => t.label)).toEqual(['b', 'd']);
    expect(selectTags(s, 0.9)).toEqual([]);
  });

  it('reads thresholds from attributes, falling back on nonsense', () => {
    expect(parseThreshold('0.25', 0.1)).toBe(0.25);
    expect(parseThreshold('abc', 0.1)).toBe(0.1);
    expect(parseThreshold('2', 0.1)).toBe(0.1);
    expect(parseThreshold(null, 0.1)).toBe(0.1);
  });
});
