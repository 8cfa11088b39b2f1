import { createSiglip } from './client/create-siglip.js';
import { SiglipError } from './errors.js';
import type { ImageInput, Score, Siglip, SiglipOptions } from './types.js';

/** The shape transformers.js pipelines return for embeddings: flat data plus dims. */
export interface EmbeddingTensor {
  readonly data: Float32Array;
  readonly dims: [number, number];
  tolist(): number[][];
}

export interface ZeroShotImageClassificationPipeline {
  (image: ImageInput, candidateLabels: string[], options?: { hypothesis_template?: string; top_k?: number }): Promise<Score[]>;
  (images: ImageInput[], candidateLabels: string[], options?: { hypothesis_template?: string; top_k?: number }): Promise<Score[][]>;
  readonly siglip: Siglip;
  dispose(): Promise<void>;
}

export interface ImageFeatureExtractionPipeline {
  (images: ImageInput | ImageInput[], options?: { normalize?: boolean }): Promise<EmbeddingTensor>;
  readonly siglip: Siglip;
  dispose(): Promise<void>;
}

export interface FeatureExtractionPipeline {
  (texts: string | string[], options?: { normalize?: boolean }): Promise<EmbeddingTensor>;
  readonly siglip: Siglip;
  dispose(): Promise<void>;
}

export type PipelineTask = 'zero-shot-image-classification' | 'image-feature-extraction' | 'feature-extraction';

function stack(rows: Float32Array[]): EmbeddingTensor {
  const dim = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { data, dims: [rows.length, dim], tolist: () => rows.map((r) => Array.from(r)) };
}

/**
 * transformers.js-shaped entry point for people migrating from `pipeline(...)`: same call shapes,
 * but Python-exact preprocessing, the period in the default template and a worker underneath.
 * Like transformers.js, embeddings are raw (not normalized) unless `normalize: true`.
 */
export function pipeline(task: 'zero-shot-image-classification', model?: string, options?: SiglipOptions): Promise<ZeroShotImageClassificationPipeline>;
export function pipeline(task: 'image-feature-extraction', model?: string, options?: SiglipOptions): Promise<ImageFeatureExtractionPipeline>;
export function pipeline(task: 'feature-extraction', model?: string, options?: SiglipOptions): Promise<FeatureExtractionPipeline>;
export async function pipeline(
  task: PipelineTask,
  model?: string,
  options: SiglipOptions = {},
): Promise<ZeroShotImageClassificationPipeline | ImageFeatureExtractionPipeline | FeatureExtractionPipeline> {
  if (!['zero-shot-image-classification', 'image-feature-extraction', 'feature-extraction'].includes(task)) {
    throw new SiglipError('INVALID_INPUT', `Unsupported task "${String(task)}"; siglip-web supports zero-shot-image-classification, image-feature-extraction and feature-extraction`);
  }
  const siglip = await createSiglip({ ...options, ...(model ? { model } : {}) });
  const extras = { siglip, dispose: () => siglip.dispose() };
  if (task === 'zero-shot-image-classification') {
    const call = (images: ImageInput | ImageInput[], labels: string[], o: { hypothesis_template?: string; top_k?: number } = {}) => {
      const opts = { ...(o.hypothesis_template !== undefined ? { template: o.hypothesis_template } : {}), ...(o.top_k !== undefined ? { topk: o.top_k } : {}) };
      return Array.isArray(images) ? siglip.classify(images, labels, opts) : siglip.classify(images, labels, opts);
    };
    return Object.assign(call, extras) as ZeroShotImageClassificationPipeline;
  }
  if (task === 'image-feature-extraction') {
    const call = async (images: ImageInput | ImageInput[], o: { normalize?: boolean } = {}) =>
      stack(await siglip.embedImage(Array.isArray(images) ? images : [images], { normalize: o.normalize ?? false }));
    return Object.assign(call, extras);
  }
  const call = async (texts: string | string[], o: { normalize?: boolean } = {}) =>
    stack(await siglip.embedText(Array.isArray(texts) ? texts : [texts], { normalize: o.normalize ?? false }));
  return Object.assign(call, extras);
}
