import { createSiglip } from '../client/create-siglip.js';
import { SiglipError } from '../errors.js';
import type { Score, Siglip, SiglipOptions } from '../types.js';
import { parseLabels, parseThreshold, selectTags } from './tag-selection.js';

export interface AutoTagOptions extends Omit<SiglipOptions, 'signal'> {
  /** Elements to tag (`<img>`, `<canvas>` or `<video>`). Default `img[data-siglip-labels]`. */
  selector?: string;
  /** Labels for elements without their own `data-siglip-labels` (array, or one comma-separated string). */
  labels?: readonly string[] | string;
  /** Minimum score for a label to become a tag (default 0.1); `data-siglip-threshold` overrides per element. */
  threshold?: number;
  /** At most this many tags per element (default 5). */
  topk?: number;
  /** Where to look for elements (default `document`). */
  root?: ParentNode & Node;
  /** Default true: also tag matching elements added later, and re-tag when `src` or labels change. */
  observe?: boolean;
  /** Reuse an existing instance instead of loading one; it is then not disposed by dispose(). */
  siglip?: Siglip;
}

export interface AutoTagDetail {
  /** Labels at or above the threshold, best first. */
  tags: Score[];
  /** Every label's score, best first. */
  scores: Score[];
}

export interface AutoTagController {
  readonly siglip: Siglip;
  /** Tags elements that are new or changed (all matching elements with `force`); resolves when done. */
  refresh(options?: { force?: boolean }): Promise<void>;
  /** Stops watching the page for new elements. */
  stop(): void;
  /** stop() and release the model (unless it was passed in). */
  dispose(): Promise<void>;
}

type Taggable = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement;

const DEFAULT_SELECTOR = 'img[data-siglip-labels]';
const WATCHED_ATTRIBUTES = ['src', 'srcset', 'data-siglip-labels', 'data-siglip-threshold'];

/**
 * Declarative tagging for pages without code: every matching element gets `data-siglip-tags`
 * ("a cat, a sofa"), `data-siglip-scores` (JSON), `data-siglip-status` and a bubbling `siglip:tags`
 * event (`siglip:error` on failure). Only attributes and an opt-in `data-siglip-output` element's
 * text change, so tagging never shifts the layout. Resolves after the elements present at call time
 * are tagged.
 */
export async function autoTag(options: AutoTagOptions = {}): Promise<AutoTagController> {
  const { selector = DEFAULT_SELECTOR, labels, threshold = 0.1, topk = 5, root = document, observe = true, siglip: given, ...modelOptions } = options;
  if (!(threshold >= 0 && threshold <= 1)) throw new SiglipError('INVALID_INPUT', `autoTag: threshold must be between 0 and 1, got ${String(threshold)}`);
  if (!(Number.isInteger(topk) && topk >= 1)) throw new SiglipError('INVALID_INPUT', `autoTag: topk must be a positive integer, got ${String(topk)}`);
  const fallbackLabels = typeof labels === 'string' ? parseLabels(labels) : [...(labels ?? [])];

  const matches = (): Element[] => Array.from(root.querySelectorAll(selector));
  for (const el of matches()) if (el instanceof HTMLElement && !el.dataset.siglipStatus) el.dataset.siglipStatus = 'pending';

  const siglip = given ?? (await createSiglip(modelOptions));
  const taggedAs = new WeakMap<Element, string>();
  let queue: Promise<void> = Promise.resolve();

  const tagOne = async (el: Element, force: boolean): Promise<void> => {
    if (!isTaggable(el)) return;
    const ownLabels = parseLabels(el.dataset.siglipLabels);
    const candidates = ownLabels.length > 0 ? ownLabels : fallbackLabels;
    const limit = parseThreshold(el.dataset.siglipThreshold, threshold);
    const signature = JSON.stringify([sourceOf(el), candidates, limit]);
    if (!force && taggedAs.get(el) === signature) return;
    taggedAs.set(el, signature);
    el.dataset.siglipStatus = 'tagging';
    try {
      if (candidates.length === 0) throw new SiglipError('INVALID_INPUT', 'autoTag: no labels (set data-siglip-labels or the labels option)');
      const scores = await siglip.classify(el, candidates);
      if (taggedAs.get(el) !== signature) return; // changed meanwhile; the newer pass writes
      const tags = selectTags(scores, limit, topk);
      el.dataset.siglipTags = tags.map((t) => t.label).join(', ');
      el.dataset.siglipScores = JSON.stringify(scores.map((s) => ({ label: s.label, score: Math.round(s.score * 1e4) / 1e4 })));
      el.dataset.siglipStatus = 'done';
      delete el.dataset.siglipError;
      const output = outputFor(el);
      if (output) output.textContent = el.dataset.siglipTags;
      el.dispatchEvent(new CustomEvent<AutoTagDetail>('siglip:tags', { bubbles: true, detail: { tags, scores } }));
    } catch (err) {
      if (taggedAs.get(el) !== signature) return;
      const error = err instanceof Error ? err : new Error(String(err));
      el.dataset.siglipStatus = 'error';
      el.dataset.siglipError = error.message;
      el.dispatchEvent(new CustomEvent<{ error: Error }>('siglip:error', { bubbles: true, detail: { error } }));
    }
  };

  // One element at a time: the engine runs requests in turn anyway, and a queue keeps the page's
  // attribute updates in document order.
  const refresh = ({ force = false } = {}): Promise<void> => {
    queue = queue.then(async () => {
      for (const el of matches()) await tagOne(el, force);
    });
    return queue;
  };

  let observer: MutationObserver | null = null;
  if (observe && typeof MutationObserver !== 'undefined') {
    let scheduled = false;
    observer = new MutationObserver(() => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        void refresh();
      });
    });
    observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: WATCHED_ATTRIBUTES });
  }

  await refresh();
  const stop = (): void => {
    observer?.disconnect();
    observer = null;
  };
  return {
    siglip,
    refresh,
    stop,
    dispose: async () => {
      stop();
      if (!given) await siglip.dispose();
    },
  };
}

function isTaggable(el: Element): el is Taggable {
  return el instanceof HTMLImageElement || el instanceof HTMLCanvasElement || el instanceof HTMLVideoElement;
}

function sourceOf(el: Taggable): string {
  if (el instanceof HTMLImageElement) return el.currentSrc || el.src;
  if (el instanceof HTMLVideoElement) return `${el.currentSrc}@${el.currentTime}`;
  return `canvas:${el.width}x${el.height}`;
}

/** `data-siglip-output="#id"`, or a `[data-siglip-output]` element in the same <figure>. */
function outputFor(el: HTMLElement): Element | null {
  const target = el.dataset.siglipOutput;
  if (target) return el.ownerDocument.querySelector(target);
  return el.closest('figure')?.querySelector('[data-siglip-output]') ?? null;
}
