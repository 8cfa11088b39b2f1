/** The Emscripten module of @cornerstonejs/codec-openjpeg's decoder build (it ships no types). */
interface OpenJpegFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

interface OpenJpegDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): OpenJpegFrameInfo;
  delete(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => OpenJpegDecoder;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options: { wasmBinary?: Uint8Array; print?: (text: string) => void; printErr?: (text: string) => void }) => Promise<OpenJpegModule>;
  export default factory;
}
