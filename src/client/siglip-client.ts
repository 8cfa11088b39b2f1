import type { EngineApi, WireImage } from '../engine/engine-api.js';
import { SiglipError } from '../errors.js';
import type {
  ClassifyOptions,
  EmbedImageOptions,
  EmbedTextOptions,
  ImageInput,
  Score,
  Siglip,
  SiglipInfo,
} from '../types.js';
import { toWireImage } from './image-input.js';
import { validateLabels, validateTemplate, validateTexts, validateTopk } from './validate.js';

/** The object createSiglip() returns: validates on the page, then forwards to the engine. */
export class SiglipClient implements Siglip {
  private disposed = false;

  constructor(
    private readonly engine: EngineApi,
    readonly info: SiglipInfo,
  ) {}

  classify(image: ImageInput, labels: readonly string[], options?: ClassifyOptions): Promise<Score[]>;
  classify(images: readonly ImageInput[], labels: readonly string[], options?: ClassifyOptions): Promise<Score[][]>;
  classify(image: ImageInput, options?: ClassifyOptions): Promise<Score[]>;
  classify(images: readonly ImageInput[], options?: ClassifyOptions): Promise<Score[][]>;
  async classify(
    input: ImageInput | readonly ImageInput[],
    labelsOrOptions?: readonly string[] | ClassifyOptions,
    maybeOptions?: ClassifyOptions,
  ): Promise<Score[] | Score[][]> {
    this.assertUsable();
    const hasLabels = Array.isArray(labelsOrOptions);
    const options = (hasLabels ? maybeOptions : (labelsOrOptions as ClassifyOptions | undefined)) ?? {};
    let labels: string[] | null = null;
    if (hasLabels) labels = validateLabels(labelsOrOptions as readonly string[]);
    else if (labelsOrOptions !== undefined && (typeof labelsOrOptions !== 'object' || labelsOrOptions === null)) {
      throw new SiglipError('INVALID_INPUT', 'classify(image, labels): labels must be an array of strings');
    } else if (this.info.task === 'zero-shot') {
      throw new SiglipError('INVALID_INPUT', 'classify(image, labels): this zero-shot model needs candidate labels, e.g. ["a cat", "a dog"]');
    }
    const template = options.template === undefined ? null : validateTemplate(options.template);
    const topk = options.topk === undefined ? null : validateTopk(options.topk);
    const { wire, single } = await this.wireImages(input);
    const result = await this.engine.classify(wire, labels, template, topk);
    return single ? (result[0] as Score[]) : result;
  }

  embedImage(image: ImageInput, options?: EmbedImageOptions): Promise<Float32Array>;
  embedImage(images: readonly ImageInput[], options?: EmbedImageOptions): Promise<Float32Array[]>;
  async embedImage(input: ImageInput | readonly ImageInput[], options: EmbedImageOptions = {}): Promise<Float32Array | Float32Array[]> {
    this.assertUsable();
    const { wire, single } = await this.wireImages(input);
    const result = await this.engine.embedImages(wire, options.normalize ?? true);
    return single ? (result[0] as Float32Array) : result;
  }

  embedText(text: string, options?: EmbedTextOptions): Promise<Float32Array>;
  embedText(texts: readonly string[], options?: EmbedTextOptions): Promise<Float32Array[]>;
  async embedText(input: string | readonly string[], options: EmbedTextOptions = {}): Promise<Float32Array | Float32Array[]> {
    this.assertUsable();
    const single = !Array.isArray(input);
    const texts = validateTexts(single ? [input as string] : (input as readonly string[]));
    const template = options.template === undefined || options.template === false ? false : validateTemplate(options.template);
    const result = await this.engine.embedTexts(texts, template, options.normalize ?? true);
    return single ? (result[0] as Float32Array) : result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.engine.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new SiglipError('DISPOSED', 'This Siglip instance was disposed; call createSiglip() again');
  }

  private async wireImages(input: ImageInput | readonly ImageInput[]): Promise<{ wire: WireImage[]; single: boolean }> {
    const single = !Array.isArray(input);
    const list = single ? [input as ImageInput] : (input as readonly ImageInput[]);
    if (list.length === 0) throw new SiglipError('INVALID_INPUT', 'No images given: pass an image or a non-empty array of images');
    const wire = await Promise.all(list.map((img, i) => toWireImage(img, i)));
    return { wire, single };
  }
}
