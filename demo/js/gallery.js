import { el, percent } from './dom.js';

const MAX_TAGS = 5;
const PAGE = 48; // cards added per step: the gallery grows as the user scrolls, never all 10,000 at once

/**
 * Keyed, incremental rendering: only the first `limit` cards of the current order exist in the DOM
 * (more are added when the end comes into view); a card is rebuilt only when what it shows changed.
 * All user text goes through textContent (el()).
 */
export class Gallery {
  #cards = new Map();
  #limit = PAGE;
  #sentinel;
  #lastOrderKey = '';

  constructor(list, { photos, onRemove, onMore }) {
    Object.assign(this, { list, photos, onRemove, onMore });
    this.#sentinel = el('li', { class: 'sentinel', 'aria-hidden': 'true' });
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        this.#limit += PAGE;
        this.onMore();
      }
    }, { rootMargin: '600px' }).observe(this.#sentinel);
  }

  /** A new order (search, new query) starts from the first page again. */
  resetPaging() {
    this.#limit = PAGE;
  }

  /**
   * items: [{ id, hit? }] in display order. view: { threshold, searching, tagsOf(id) → Score[] | undefined, tagNote }.
   * Returns the ids now rendered (so their tags can be fetched).
   */
  render(items, view) {
    const shown = items.slice(0, this.#limit);
    const order = [];
    const seen = new Set();
    shown.forEach(({ id, hit }, index) => {
      const photo = this.photos.get(id);
      if (!photo) return;
      seen.add(id);
      const card = this.#cards.get(id) ?? this.#create(photo);
      this.#update(card, photo, hit, view, view.searching && index === 0 && hit !== undefined);
      order.push(card.root);
    });
    for (const [id, card] of this.#cards) {
      if (!seen.has(id)) {
        card.root.remove();
        this.#cards.delete(id);
      }
    }
    if (items.length > shown.length) order.push(this.#sentinel);
    const key = order.length + ':' + shown.map((s) => s.id).join(',');
    if (key !== this.#lastOrderKey || this.list.children.length !== order.length) {
      this.#lastOrderKey = key;
      this.list.replaceChildren(...order);
    }
    return [...seen];
  }

  #create(photo) {
    const img = el('img', { alt: photo.name ?? '', decoding: 'async', loading: 'lazy', hidden: true });
    const badge = el('span', { class: 'badge', text: 'Best match', hidden: true });
    const remove = el('button', { class: 'remove', type: 'button', 'aria-label': `Remove ${photo.name ?? 'photo'}`, text: '×', onclick: () => this.onRemove(photo.id) });
    const body = el('div', { class: 'card-body' });
    const root = el('li', { class: 'card', dataset: { name: photo.name ?? '', id: photo.id } }, [el('div', { class: 'thumb' }, [img, badge, remove]), body]);
    const card = { root, img, badge, body, signature: '' };
    this.#cards.set(photo.id, card);
    return card;
  }

  #update(card, photo, hit, view, best) {
    const url = this.photos.thumbUrl(photo.id);
    if (url && card.img.getAttribute('src') !== url) {
      card.img.src = url;
      card.img.hidden = false;
    }
    const scores = photo.state === 'indexed' ? view.tagsOf(photo.id) : undefined;
    const signature = JSON.stringify([view.tagGeneration, photo.state, photo.error, hit?.score, best, scores ? view.threshold : null, scores ? scores.length : view.tagNote, view.queuedNote, scores?.[0]?.label, scores?.[0]?.score]);
    if (signature === card.signature) return;
    card.signature = signature;
    card.root.dataset.state = photo.state === 'indexed' ? (scores ? 'done' : view.tagsComing ? 'pending' : 'untagged') : photo.state;
    card.root.classList.toggle('best', best);
    card.badge.hidden = !best;
    const children = [el('h3', { class: 'card-title', text: photo.name ?? 'Imported photo', title: photo.name })];
    if (hit) {
      children.push(el('span', {
        class: 'match',
        text: `Relevance ${percent(hit.score)}`,
        title: `SigLIP probability that the text describes this photo (cosine similarity ${hit.similarity.toFixed(3)})`,
      }));
    }
    if (photo.state === 'failed') children.push(el('p', { class: 'card-state', text: `Could not read: ${photo.error}` }));
    else if (photo.state === 'queued') children.push(el('p', { class: 'card-state', text: view.queuedNote }));
    else if (photo.state === 'indexing') children.push(el('p', { class: 'card-state', text: 'Indexing…' }));
    else if (scores) children.push(this.#tags(scores, view.threshold));
    else children.push(el('p', { class: 'card-state', text: view.tagNote }));
    card.body.replaceChildren(...children);
  }

  #tags(scores, threshold) {
    const list = el('ul', { class: 'tags', 'aria-label': 'Tags' });
    if (scores.length === 0) return list;
    const above = scores.filter((s) => s.score >= threshold).slice(0, MAX_TAGS);
    const guess = above.length === 0;
    for (const s of guess ? scores.slice(0, 1) : above) {
      list.append(el('li', { class: guess ? 'tag guess' : 'tag', title: guess ? `Best guess, below the ${percent(threshold)} threshold` : undefined }, [
        el('span', { class: 'tag-label', text: s.label }),
        el('span', { class: 'tag-score', text: percent(s.score) }),
        el('span', { class: 'tag-bar', 'aria-hidden': 'true' }, [el('span', { style: { width: `${Math.max(2, s.score * 100)}%` } })]),
      ]));
    }
    return list;
  }
}
