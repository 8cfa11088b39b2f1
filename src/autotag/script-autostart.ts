import { autoTag, type AutoTagController, type AutoTagOptions } from './auto-tag.js';
import { parseThreshold } from './tag-selection.js';

/**
 * `<script src="siglip-web.js" data-siglip-autotag data-siglip-model="…">` tags the page with no
 * code at all. Read while the script runs: document.currentScript is null afterwards.
 */
export function autoTagFromScript(script: Element | null): Promise<AutoTagController> | null {
  if (!(script instanceof HTMLScriptElement) || !script.hasAttribute('data-siglip-autotag')) return null;
  const d = script.dataset;
  const options: AutoTagOptions = {
    ...(d.siglipModel ? { model: d.siglipModel } : {}),
    ...(d.siglipSelector ? { selector: d.siglipSelector } : {}),
    ...(d.siglipLabels ? { labels: d.siglipLabels } : {}),
    ...(d.siglipDtype ? { dtype: d.siglipDtype as AutoTagOptions['dtype'] } : {}),
    threshold: parseThreshold(d.siglipThreshold, 0.1),
  };
  const started = new Promise<void>((ready) => {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => ready(), { once: true });
    else ready();
  }).then(() => autoTag(options));
  started.catch((err: unknown) => console.error('[siglip-web] data-siglip-autotag failed:', err));
  return started;
}
