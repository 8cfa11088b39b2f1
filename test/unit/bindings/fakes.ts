import type { ClassifyOptions, ImageInput, LoadProgress, Score, Siglip, SiglipInfo, SiglipOptions } from '../../../src/types.js';

/** A promise whose settling the test controls. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

const INFO: SiglipInfo = {
  model: 'fake', device: 'wasm', dtype: 'fp32', threads: 1, task: 'zero-shot',
  imageSize: { width: 224, height: 224 }, worker: false,
};

export interface ClassifyCall {
  image: ImageInput;
  labels: readonly string[];
  options: ClassifyOptions | undefined;
  answer: ReturnType<typeof deferred<Score[]>>;
}

/** A Siglip whose classify answers are settled by the test, to reorder and interleave them. */
export class FakeSiglip implements Siglip {
  readonly info = INFO;
  readonly calls: ClassifyCall[] = [];
  disposed = 0;

  classify(image: ImageInput, labels: readonly string[], options?: ClassifyOptions): Promise<Score[]>;
  classify(...args: unknown[]): Promise<never>;
  classify(image: unknown, labels?: unknown, options?: unknown): Promise<Score[]> {
    const answer = deferred<Score[]>();
    this.calls.push({ image: image as ImageInput, labels: labels as readonly string[], options: options as ClassifyOptions | undefined, answer });
    return answer.promise;
  }

  embedImage(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  embedText(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  async dispose(): Promise<void> {
    this.disposed++;
  }
}

/** createSiglip stand-in: records each load and lets the test finish it. */
export class FakeLoader {
  readonly loads: { options: SiglipOptions; done: ReturnType<typeof deferred<Siglip>>; instance: FakeSiglip }[] = [];

  readonly create = (options: SiglipOptions): Promise<Siglip> => {
    const done = deferred<Siglip>();
    this.loads.push({ options, done, instance: new FakeSiglip() });
    return done.promise;
  };

  finish(index = this.loads.length - 1): FakeSiglip {
    const load = this.loads[index]!;
    load.done.resolve(load.instance);
    return load.instance;
  }

  progress(index: number, p: Partial<LoadProgress>): void {
    this.loads[index]!.options.onProgress?.({ status: 'progress', file: 'onnx/model.onnx', loaded: 0, total: 0, totalLoaded: 0, totalBytes: 0, ...p });
  }
}

export function scores(...pairs: [string, number][]): Score[] {
  return pairs.map(([label, score]) => ({ label, score }));
}
