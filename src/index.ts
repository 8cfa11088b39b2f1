/**
 * The package entry (`siglip-web`). Every public name is listed here, values and types alike, so
 * this file is the API surface; anything not named here is internal.
 */

// Loading and using a model
export { createSiglip, DEFAULT_TEMPLATE } from './client/create-siglip.js';
export type {
  Siglip,
  SiglipOptions,
  SiglipInfo,
  LoadProgress,
  ImageInput,
  Score,
  ClassifyOptions,
  EmbedImageOptions,
  EmbedTextOptions,
  Device,
  DeviceOption,
  DeviceFallback,
  DeviceFallbackCode,
  Dtype,
  DtypeOption,
} from './types.js';

// Errors
export { SiglipError } from './errors.js';
export type { SiglipErrorCode, SerializedSiglipError } from './errors.js';

// transformers.js-shaped pipelines
export { pipeline } from './pipeline.js';
export type {
  PipelineTask,
  EmbeddingTensor,
  ZeroShotImageClassificationPipeline,
  ImageFeatureExtractionPipeline,
  FeatureExtractionPipeline,
} from './pipeline.js';

// Processors without a model
export { SiglipTextProcessor, SiglipImageProcessor } from './client/processors.js';
export type { ProcessorLoadOptions } from './client/processors.js';

// The model cache
export { cache } from './client/cache.js';
export type { SiglipCache, CachedModel, CachedFile, CacheUsage, CacheModelOptions, CacheMode, CacheWarning, CacheWarningCode } from './types.js';

// Photo library
export { openLibrary } from './client/library/open-library.js';
export type {
  LibrarySource,
  LibraryHit,
  AddReport,
  LibraryProgress,
  LibraryPhoto,
  LibraryUsage,
  LibraryAddOptions,
  LibrarySearchOptions,
  LibraryTagOptions,
  PhotoLibrary,
} from './library-types.js';

// autoTag
export { autoTag } from './autotag/auto-tag.js';
export type { AutoTagController, AutoTagDetail, AutoTagOptions } from './autotag/auto-tag.js';
