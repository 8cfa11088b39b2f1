import { expose, transfer } from 'comlink';
import { BatchCollector } from '../engine/library-prepare.js';
import { libraryReader, type PreprocessApi } from '../engine/library-port.js';
import type { ImageCodecs } from '../processors/image/decode-browser.js';
import { SiglipImageProcessor } from '../processors/image/image-processor.js';

/** The preprocessing worker's API (see worker/preprocess-worker.ts). */
export function exposePreprocess(codecs: ImageCodecs): void {
  let cached: { key: string; processor: SiglipImageProcessor } | undefined;
  const existing = libraryReader();
  const collector = new BatchCollector(codecs);
  const api: PreprocessApi = {
    async collect(config, items, library) {
      const key = JSON.stringify(config);
      if (cached?.key !== key) cached = { key, processor: SiglipImageProcessor.fromConfig(config) };
      const out = await collector.collect(items, cached.processor, (ids) => existing(library, ids));
      return transfer(out, out.flatMap((o) => (o.status === 'ready' ? [o.pixels.buffer as ArrayBuffer] : [])));
    },
  };
  expose(api);
}
