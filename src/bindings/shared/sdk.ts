/**
 * The one door from the bindings to the SDK. The bindings' rollup build maps this module to the
 * sibling `./siglip-web.mjs`, so an app importing both `siglip-web` and `siglip-web/react` loads
 * the SDK (and resolves its worker URL) once.
 */
export { createSiglip } from '../../index.js';
