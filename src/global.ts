/** Drop-in build: `<script src=".../siglip-web.js">` defines `window.SiglipWeb` with the ESM exports. */
import { autoTagFromScript } from './autotag/script-autostart.js';

export * from './index.js';

/** The autoTag started by a `data-siglip-autotag` attribute on this script tag, or null. */
export const autoTagged = typeof document === 'undefined' ? null : autoTagFromScript(document.currentScript);
