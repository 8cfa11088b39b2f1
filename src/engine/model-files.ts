import { SiglipError } from '../errors.js';
import type { ModelRef } from '../model-ref/model-ref.js';
import { readLogitParams } from '../onnx/onnx-scalars.js';
import { SiglipImageProcessor } from '../processors/image/image-processor.js';
import { fetchModelJson } from '../processors/model-folder.js';
import { SiglipTextProcessor } from '../processors/text/text-processor.js';
import type { SiglipInfo } from '../types.js';
import type { LoadCache } from './load-cache.js';

interface ModelConfig {
  architectures?: string[];
  vision_config?: { hidden_size?: number };
  id2label?: Record<string, string>;
}

export interface LogitParams {
  readonly logitScaleExp: number;
  readonly logitBias: number;
  readonly source: string;
}

/** Everything a load reads besides the ONNX sessions; the slow parts stay promises while sessions load. */
export interface ModelFiles {
  readonly task: SiglipInfo['task'];
  /** The classifier head's labels (image-classification only). */
  readonly labels?: readonly string[];
  readonly imageProcessor: SiglipImageProcessor;
  /** Width of the image embedding (vision hidden size). */
  readonly embedDim: number;
  readonly textProcessor?: Promise<SiglipTextProcessor>;
  readonly logit?: Promise<LogitParams>;
}

/**
 * Reads config.json (which task, which labels), the image processor, and starts the text
 * processor and logit_scale/bias reads. All requests go through `fetch` (the engine's cached fetch).
 */
export async function loadModelFiles(model: ModelRef, fetch: typeof globalThis.fetch, cache: LoadCache): Promise<ModelFiles> {
  const base = model.baseUrl;
  const config = (await fetchModelJson(`${base}config.json`, { fetch })) as ModelConfig;
  const architectures = config.architectures ?? ['SiglipModel'];
  const isClassifier = architectures.includes('SiglipForImageClassification');
  if (!isClassifier && !architectures.some((a) => a === 'SiglipModel' || a === 'Siglip2Model')) {
    throw new SiglipError('MODEL_UNSUPPORTED', `Model architecture ${architectures.join(', ')} is not a SigLIP model this SDK can run`);
  }
  const imageProcessor = await SiglipImageProcessor.fromPretrained(model, { fetch });
  const embedDim = config.vision_config?.hidden_size ?? 768;
  if (isClassifier) return { task: 'image-classification', labels: id2labelList(config), imageProcessor, embedDim };
  const textProcessor = SiglipTextProcessor.fromPretrained(model, { fetch });
  const logit = cache.logitParams(() => readLogitParams(base, { fetch }));
  // Keep the promises from rejecting unobserved while the sessions load.
  for (const p of [textProcessor, logit]) p.catch(() => undefined);
  return { task: 'zero-shot', imageProcessor, embedDim, textProcessor, logit };
}

function id2labelList(config: ModelConfig): string[] {
  const map = config.id2label ?? {};
  const ids = Object.keys(map).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  if (!ids.length) throw new SiglipError('MODEL_LOAD', 'A SiglipForImageClassification config.json must have id2label');
  return ids.map((i) => map[String(i)] as string);
}
