import { expose, transfer } from 'comlink';
import { collectBatch } from '../engine/library-prepare.js';
import { libraryReader, type PreprocessApi } from '../engine/library-port.js';
import { SiglipImageProcessor } from '../processors/image/image-processor.js';


export function exposePreprocess(): void {
  let cached: { key: string; processor: SiglipImageProcessor } | undefined;
  const existing = libraryReader();
  const api: PreprocessApi = {
    async collect(config, items, library) {
      const key = JSON.stringify(config);
      if (cached?.key !== key) cached = { key, processor: SiglipImageProcessor.fromConfig(config) };
      const out = await collectBatch(items, cached.processor, (ids) => existing(library, ids));
      return transfer(out, out.flatMap((o) => (o.status === 'ready' ? [o.pixels.buffer as ArrayBuffer] : [])));
    },
  };
  expose(api);
}
