/// <reference path="./openjpeg-wasm.d.ts" />
/**
 * OpenJPEG, the JPEG 2000 decoder Pillow uses, as WebAssembly (@cornerstonejs/codec-openjpeg):
 * decodes of Pillow-written lossless and lossy (9/7) files were bit-identical to Pillow's.
 * Instantiated on the first JPEG 2000 photo only; the .wasm bytes come from `wasmBytes`.
 */
import OpenJPEGWASM from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import type { Jpeg2000Codec } from '../processors/image/jpeg2000-decode.js';

export class OpenJpegCodec implements Jpeg2000Codec {
  private module: Promise<OpenJpegModule> | undefined;

  constructor(private readonly wasmBytes: () => Promise<Uint8Array>) {}

  async decode(codestream: Uint8Array): Promise<{ width: number; height: number; components: number; data: Uint8Array }> {
    this.module ??= this.wasmBytes().then((wasmBinary) => OpenJPEGWASM({ wasmBinary, print: quiet, printErr: quiet }));
    const oj = await this.module.catch((err: unknown) => {
      this.module = undefined;
      throw err;
    });
    const decoder = new oj.J2KDecoder();
    try {
      decoder.getEncodedBuffer(codestream.length).set(codestream);
      decoder.decode();
      const info = decoder.getFrameInfo();
      if (info.bitsPerSample !== 8 || info.isSigned) throw new Error(`decoded ${info.bitsPerSample}-bit${info.isSigned ? ' signed' : ''} samples`);
      // A view into the module's memory: copied before the decoder is freed.
      const data = decoder.getDecodedBuffer().slice();
      return { width: info.width, height: info.height, components: info.componentCount, data };
    } finally {
      decoder.delete();
    }
  }
}

function quiet(): void {
  // OpenJPEG reports every header it reads; failures surface as exceptions.
}
