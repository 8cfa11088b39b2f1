import type { WireImage } from '../protocol/engine-protocol.js';
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
import { checkSignal, throwIfAborted } from './abort.js';
import { PhotoLibraryClient, type LibraryCall } from './library/photo-library.js';
import type { PhotoLibrary } from '../library-types.js';
import type { EngineSupervisor } from './engine-supervisor.js';
import { toWireImage } from './image-input.js';
import { RequestQueue, type EngineRequest } from './request-queue.js';
import { validateLabels, validateTemplate, validateTexts, validateTopk } from './validate.js';

/**
 * The object createSiglip() returns: validates on the page, turns inputs into transferable form,
 * then hands them to the request queue (which merges, cancels and survives worker restarts).
 */
export class SiglipClient implements Siglip {
  private disposed = false;
  private readonly queue: RequestQueue;

  constructor(private readonly supervisor: EngineSupervisor) {
    this.queue = new RequestQueue(supervisor);
  }

  /** Reflects the engine currently serving calls (the device can change after a restart). */
  get info(): SiglipInfo {
    return this.supervisor.info;
  }

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
    const raw: unknown = labelsOrOptions;
    if (typeof raw === 'string') {
      const example = raw.split(',').map((l) => l.trim()).filter(Boolean).slice(0, 3);
      throw new SiglipError('INVALID_INPUT', `classify(image, labels): labels must be an array of strings, e.g. ${JSON.stringify(example)}`);
    }
    const options = optionsObject(hasLabels ? maybeOptions : (labelsOrOptions as ClassifyOptions | undefined), 'classify');
    let labels: string[] | null = null;
    if (hasLabels) labels = validateLabels(labelsOrOptions as readonly string[]);
    else if (labelsOrOptions !== undefined && (typeof labelsOrOptions !== 'object' || labelsOrOptions === null || Symbol.iterator in labelsOrOptions)) {
      throw new SiglipError('INVALID_INPUT', `classify(image, labels): labels must be an array of strings, got ${describe(labelsOrOptions)}`);
    } else if (this.info.task === 'zero-shot') {
      throw new SiglipError('INVALID_INPUT', 'classify(image, labels): this zero-shot model needs candidate labels, e.g. ["a cat", "a dog"]');
    }
    const template = options.template === undefined ? null : validateTemplate(options.template);
    const topk = options.topk === undefined ? null : validateTopk(options.topk);
    const signal = checkSignal(options.signal, 'classify');
    const { images, single } = await this.wireImages(input, signal, 'classify()');
    const rows = await this.submit({ kind: 'classify', images, labels, template, topk }, signal, 'classify()');
    return single ? (rows[0] as Score[]) : (rows as Score[][]);
  }

  embedImage(image: ImageInput, options?: EmbedImageOptions): Promise<Float32Array>;
  embedImage(images: readonly ImageInput[], options?: EmbedImageOptions): Promise<Float32Array[]>;
  async embedImage(input: ImageInput | readonly ImageInput[], maybeOptions?: EmbedImageOptions): Promise<Float32Array | Float32Array[]> {
    this.assertUsable();
    const options = optionsObject(maybeOptions, 'embedImage');
    const signal = checkSignal(options.signal, 'embedImage');
    const { images, single } = await this.wireImages(input, signal, 'embedImage()');
    const rows = await this.submit({ kind: 'embedImages', images, normalize: options.normalize ?? true }, signal, 'embedImage()');
    return single ? (rows[0] as Float32Array) : (rows as Float32Array[]);
  }

  embedText(text: string, options?: EmbedTextOptions): Promise<Float32Array>;
  embedText(texts: readonly string[], options?: EmbedTextOptions): Promise<Float32Array[]>;
  async embedText(input: string | readonly string[], maybeOptions?: EmbedTextOptions): Promise<Float32Array | Float32Array[]> {
    this.assertUsable();
    const options = optionsObject(maybeOptions, 'embedText');
    const single = !Array.isArray(input);
    const texts = validateTexts(single ? [input as string] : (input as readonly string[]));
    const template = options.template === undefined || options.template === false ? false : validateTemplate(options.template);
    const signal = checkSignal(options.signal, 'embedText');
    const rows = await this.submit({ kind: 'embedTexts', texts, template, normalize: options.normalize ?? true }, signal, 'embedText()');
    return single ? (rows[0] as Float32Array) : (rows as Float32Array[]);
  }

  async openLibrary(name = 'default'): Promise<PhotoLibrary> {
    this.assertUsable();
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new SiglipError('INVALID_INPUT', `openLibrary(name): name must be a non-empty string of at most 200 characters, got ${describe(name)}`);
    }
    if (this.info.task !== 'zero-shot') throw new SiglipError('MODEL_UNSUPPORTED', 'Photo libraries need a zero-shot SigLIP model (SiglipModel), not a classification head');
    const library = new PhotoLibraryClient(name, this.libraryCall);
    await library.open();
    return library;
  }

  /** Library operations go straight to the engine (not merged); a call cut by a worker crash runs once more on the restarted worker. */
  private readonly libraryCall: LibraryCall = async (name, op) => {
    for (let attempt = 0; ; attempt++) {
      this.assertUsable();
      const engine = await this.supervisor.acquire();
      try {
        return await engine.library(name, op);
      } catch (err) {
        if (attempt === 0 && err instanceof SiglipError && err.code === 'WORKER_CRASHED' && !this.disposed) continue;
        throw err;
      }
    }
  };

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // A worker busy with a call nobody will read is stopped, not waited for.
    const busy = this.queue.busy;
    this.queue.dispose();
    await this.supervisor.dispose(busy);
  }

  /** Engine calls and worker restarts so far; for diagnostics and tests, not part of the API. */
  get stats(): { readonly engineCalls: number; readonly restarts: number } {
    return { engineCalls: this.queue.engineCalls, restarts: this.supervisor.restarts };
  }

  private submit(request: EngineRequest, signal: AbortSignal | undefined, what: string) {
    this.assertUsable();
    return this.queue.submit(request, signal, what);
  }

  private assertUsable(): void {
    if (this.disposed) throw SiglipError.disposed();
  }

  private async wireImages(input: ImageInput | readonly ImageInput[], signal: AbortSignal | undefined, what: string): Promise<{ images: WireImage[]; single: boolean }> {
    throwIfAborted(signal, what);
    const single = !Array.isArray(input);
    const list = single ? [input as ImageInput] : (input as readonly ImageInput[]);
    if (list.length === 0) throw new SiglipError('INVALID_INPUT', 'No images given: pass an image or a non-empty array of images');
    const images = await Promise.all(list.map((img, i) => toWireImage(img, i)));
    if (signal?.aborted) {
      for (const w of images) if (w.kind === 'bitmap') w.bitmap.close();
      throwIfAborted(signal, what);
    }
    return { images, single };
  }
}

function optionsObject<T extends object>(options: T | undefined, method: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SiglipError('INVALID_INPUT', `${method}(): options must be an object, got ${describe(options)}`);
  }
  return options;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
