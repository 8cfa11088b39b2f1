import type { SiglipImageProcessor as ImageProcessorImpl } from '../processors/image/image-processor.js';
import type { SiglipTextProcessor as TextProcessorImpl } from '../processors/text/text-processor.js';
import type { ImageInput } from '../types.js';
import { loadEngineModule } from './engine-module.js';
import { toWireImage } from './image-input.js';
import { modelRefOnPage } from './page-model.js';

export interface ProcessorLoadOptions {
  remoteHost?: string;
  fetch?: typeof fetch;
}

/** Python-exact SigLIP text preprocessing, usable without loading a model. */
export class SiglipTextProcessor {
  private constructor(private readonly impl: TextProcessorImpl) {}

  static async fromPretrained(model: string, options: ProcessorLoadOptions = {}): Promise<SiglipTextProcessor> {
    const ref = modelRefOnPage(model, options);
    const mod = await loadEngineModule();
    return new SiglipTextProcessor(await mod.SiglipTextProcessor.fromPretrained(ref, options.fetch ? { fetch: options.fetch } : {}));
  }

  encode(texts: string[], options?: { template?: string | false }): { inputIds: number[][]; texts: string[] } {
    return this.impl.encode(texts, options);
  }
}

/** Python-exact SigLIP image preprocessing (PIL decode + bicubic), usable without loading a model. */
export class SiglipImageProcessor {
  private constructor(
    private readonly impl: ImageProcessorImpl,
    private readonly decode: (typeof import('../worker/worker-entry.js'))['decodeWireImage'],
  ) {}

  static async fromPretrained(model: string, options: ProcessorLoadOptions = {}): Promise<SiglipImageProcessor> {
    const ref = modelRefOnPage(model, options);
    const mod = await loadEngineModule();
    const impl = await mod.SiglipImageProcessor.fromPretrained(ref, options.fetch ? { fetch: options.fetch } : {});
    return new SiglipImageProcessor(impl, mod.decodeWireImage);
  }

  async process(input: ImageInput | readonly ImageInput[]): Promise<{ pixelValues: Float32Array; dims: number[] }> {
    const list = Array.isArray(input) ? (input as readonly ImageInput[]) : [input as ImageInput];
    const rgb = await Promise.all(list.map(async (img, i) => this.decode(await toWireImage(img, i), i)));
    return this.impl.processPixels(rgb);
  }
}
