import { describe, expect, it } from 'vitest';
import { isHubId, resolveModelBaseUrl } from '../../../src/model-ref/model-ref.js';

const HUB = 'https://huggingface.co/';
const PAGE = 'https://app.example/gallery/index.html';

describe('which model strings are hub ids', () => {
  it('treats exactly owner/name as a hub id', () => {
    for (const id of ['Xenova/siglip-base-patch16-224', 'google/siglip-so400m-patch14-384', 'a_b/c.d-e']) expect(isHubId(id)).toBe(true);
  });

  it('treats paths, URLs and hub route names as folders', () => {
    for (const path of ['./models/x', '../x/y', '/models/x', 'models/x', 'Models/x', 'datasets/x', 'spaces/x', 'a/b/c', 'owner/name/', 'x', 'https://h/a/b', 'blob:https://h/u']) {
      expect(isHubId(path)).toBe(false);
    }
  });
});

describe('resolveModelBaseUrl', () => {
  it('maps a hub id to the host\'s resolve/main folder', () => {
    expect(resolveModelBaseUrl('Xenova/siglip-base-patch16-224', HUB, PAGE)).toBe('https://huggingface.co/Xenova/siglip-base-patch16-224/resolve/main/');
  });

  it('resolves relative folders against the page, with or without ./', () => {
    expect(resolveModelBaseUrl('models/siglip-shapes', HUB, PAGE)).toBe('https://app.example/gallery/models/siglip-shapes/');
    expect(resolveModelBaseUrl('./models/siglip-shapes', HUB, PAGE)).toBe('https://app.example/gallery/models/siglip-shapes/');
    expect(resolveModelBaseUrl('/models/siglip-shapes/', HUB, PAGE)).toBe('https://app.example/models/siglip-shapes/');
    expect(resolveModelBaseUrl('fixtures/models/siglip-shapes', HUB, PAGE)).toBe('https://app.example/gallery/fixtures/models/siglip-shapes/');
  });
});
