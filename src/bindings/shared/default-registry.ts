import { ModelRegistry } from './model-registry.js';
import { createSiglip } from './sdk.js';

/** One registry per page (per bindings bundle): components anywhere in the tree share models. */
export const defaultRegistry = new ModelRegistry(createSiglip);
