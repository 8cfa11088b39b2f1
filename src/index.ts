export { createSiglip, DEFAULT_TEMPLATE } from './client/create-siglip.js';
export { SiglipError } from './errors.js';
export type { SiglipErrorCode } from './errors.js';
export { SiglipTextProcessor, SiglipImageProcessor } from './client/processors.js';
export { pipeline } from './pipeline.js';
export { cache } from './cache/cache-api.js';
export type * from './types.js';
export { autoTag } from './bindings/autotag/auto-tag.js';
export type { AutoTagController, AutoTagDetail, AutoTagOptions } from './bindings/autotag/auto-tag.js';
