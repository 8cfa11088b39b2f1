/**
 * Compile-time spec of the published types (dist/types, through the package's own `exports`).
 * `npm run test:types` must pass; each @ts-expect-error line must be an error, or tsc fails.
 */
import { createSiglip, SiglipError, type Score, type SiglipErrorCode } from 'siglip-web';
import { useClassify, useSiglip, type UseClassifyResult, type UseSiglipResult } from 'siglip-web/react';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(): T | void {}

declare const img: HTMLImageElement;
const siglip = await createSiglip({ model: 'models/siglip-shapes' });

const one = siglip.classify(img, ['a cat', 'a dog']);
assertType<Equal<typeof one, Promise<Score[]>>>();
const many = siglip.classify([img, 'photo.jpg'], ['a cat', 'a dog']);
assertType<Equal<typeof many, Promise<Score[][]>>>();
const vec = siglip.embedText('a beach');
assertType<Equal<typeof vec, Promise<Float32Array>>>();

// @ts-expect-error labels are an array, not one comma-separated string
void siglip.classify(img, 'a cat, a dog');
// @ts-expect-error device is 'auto' | 'webgpu' | 'wasm'
void createSiglip({ device: 'gpu' });

const code: SiglipErrorCode = 'ASSET_LOAD';
const err = new SiglipError(code, 'x');
assertType<Equal<typeof err.code, SiglipErrorCode>>();

declare const classifyResult: ReturnType<typeof useClassify>;
assertType<Equal<typeof classifyResult, UseClassifyResult>>();
assertType<Equal<typeof classifyResult.results, Score[] | null>>();
declare const modelResult: ReturnType<typeof useSiglip>;
assertType<Equal<typeof modelResult, UseSiglipResult>>();
assertType<Equal<typeof modelResult.status, 'idle' | 'loading' | 'ready' | 'error'>>();
// @ts-expect-error progress is a number (0..1)
const progress: string = modelResult.progress;
void progress;
