import { expose, transfer } from 'comlink';
import { photoIds, preparePixels } from '../engine/library-prepare.js';
import type { PreprocessApi } from '../engine/library-port.js';
import { SiglipImageProcessor } from '../processors/image/image-processor.js';


export function exposePreprocess(): void {
  let cached: { key: string; processor: SiglipImageProcessor } | undefined;
  const api: PreprocessApi = {
    ids: (sources) => photoIds(sources),
    async prepare(config, blobs, names) {
      const key = JSON.stringify(config);
      if (cached?.key !== key) cached = { key, processor: SiglipImageProcessor.fromConfig(config) };
      const out = await preparePixels(blobs, cached.processor, (i) => names[i] ?? `photo #${i}`);
      return transfer(out, out.flatMap((o) => ('pixels' in o ? [o.pixels.buffer as ArrayBuffer] : [])));
    },
  };
  expose(api);
}
