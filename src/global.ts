/** Drop-in build: `<script src=".../siglip-web.js">` defines `window.SiglipWeb` with the ESM exports. */
export * from './index.js';
