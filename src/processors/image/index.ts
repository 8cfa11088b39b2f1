export type { RgbImage } from './rgb-image.js';
export { MAX_IMAGE_PIXELS } from './rgb-image.js';
export {
  SiglipImageProcessor,
  preprocessorConfigUrl,
  type FromPretrainedOptions,
  type ImageInput,
  type ProcessedImages,
  type SiglipImageProcessorConfig,
} from './image-processor.js';
export { decodeImageBytes, pixelsFromSource, type DecodedImageSource, type EncodedImage } from './decode-browser.js';
export { decodeBmp } from './bmp-decode.js';
export { decodeGif } from './gif-decode.js';
export { decodeWebp, type LossyWebpDecoder } from './webp-decode.js';
export { decodeVp8l, type Vp8lImage } from './vp8l-decode.js';
export { decodePng, isPng, readPngHeader, type DecodedPng, type DecodePngOptions } from './png-decode.js';
export {
  applyExifOrientation,
  readJpegOrientation,
  readJpegOrientationSources,
  readTiffOrientation,
  readXmpOrientation,
  type ExifOrientation,
  type JpegOrientationSources,
} from './exif-orientation.js';
export { PilResample, resizeRgb8, type PilResampleFilter } from './pil-resample.js';
export { buildChannelLookupTables, rgbToNormalizedChw, type ChannelLookupTables, type RescaleNormalizeOptions } from './rescale-normalize.js';
export { sniffImageFormat, type ImageFormat } from './image-format.js';
