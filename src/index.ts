export { createSiglip, DEFAULT_TEMPLATE } from './client/create-siglip.js';
export { SiglipError } from './errors.js';
export type { SiglipErrorCode } from './errors.js';
export { SiglipTextProcessor, SiglipImageProcessor } from './client/processors.js';
export { pipeline } from './pipeline.js';
export { cache } from './client/cache.js';
export type * from './types.js';
export { autoTag } from './autotag/auto-tag.js';
export type { AutoTagController, AutoTagDetail, AutoTagOptions } from './autotag/auto-tag.js';
