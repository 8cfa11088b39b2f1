/** OpenJPEG's decoder .wasm as base64, inlined into the worker bundle by the build (rollup.config.mjs). */
declare module 'virtual:openjpeg-wasm' {
  const base64: string;
  export default base64;
}
