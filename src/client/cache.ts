import { createCacheApi } from '../storage/cache-api.js';
import { modelCacheStore } from '../storage/idb-store.js';
import type { SiglipCache } from '../types.js';
import { modelRefOnPage } from './page-model.js';

/**
 * `SiglipWeb.cache`: list, measure and delete what siglip-web stored in this origin. Model names
 * are resolved like createSiglip's `model` (same page, same `remoteHost`), so `has(model)` finds
 * what `createSiglip({ model })` stored.
 */
export const cache: SiglipCache = createCacheApi((model, options) => modelRefOnPage(model, options ?? {}).baseUrl, modelCacheStore);
