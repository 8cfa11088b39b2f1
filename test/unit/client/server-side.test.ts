import { describe, expect, it } from 'vitest';
import { createSiglip } from '../../../src/client/create-siglip.js';
import { SiglipError } from '../../../src/errors.js';

describe('createSiglip without a page (SSR, React Server Components, Node)', () => {
  for (const model of [undefined, 'models/shapes', './models/shapes', 'Xenova/siglip-base-patch16-224']) {
    it(`rejects with BACKEND_UNAVAILABLE saying to call it from client code (model ${String(model)})`, async () => {
      const err = await createSiglip(model === undefined ? {} : { model }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SiglipError);
      expect((err as SiglipError).code).toBe('BACKEND_UNAVAILABLE');
      expect((err as SiglipError).message).toMatch(/browser only.*'use client'/s);
    });
  }
});
