export { createSiglip, DEFAULT_TEMPLATE } from './client/create-siglip.js';
export { SiglipError } from './errors.js';
export type { SiglipErrorCode } from './errors.js';
export { SiglipTextProcessor, SiglipImageProcessor } from './client/processors.js';
export { pipeline } from './pipeline.js';
export type * from './types.js';
