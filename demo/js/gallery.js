import { el, percent } from './dom.js';

const MAX_TAGS = 5;

/** Keyed rendering: cards (and their <img>) are created once and updated in place, so nothing reloads or jumps. */
export class Gallery {
  #cards = new Map();

  constructor(list, { onRemove }) {
    this.list = list;
    this.onRemove = onRemove;
  }

  render(ranked, { threshold, searching }) {
    const seen = new Set();
    const order = [];
    ranked.forEach(({ photo, similarity }, index) => {
      seen.add(photo.id);
      const card = this.#cards.get(photo.id) ?? this.#create(photo);
      this.#update(card, photo, { threshold, similarity, best: searching && index === 0 && similarity !== null });
      order.push(card.root);
    });
    for (const [id, card] of this.#cards) {
      if (!seen.has(id)) {
        card.root.remove();
        this.#cards.delete(id);
      }
    }
    const current = [...this.list.children];
    if (current.length !== order.length || current.some((node, i) => node !== order[i])) this.list.append(...order);
  }

  #create(photo) {
    const img = el('img', { alt: photo.name, src: photo.url, decoding: 'async' });
    const badge = el('span', { class: 'badge', text: 'Best match', hidden: true });
    const remove = el('button', { class: 'remove', type: 'button', 'aria-label': `Remove ${photo.name}`, text: '×', onclick: () => this.onRemove(photo.id) });
    const body = el('div', { class: 'card-body' });
    const root = el('li', { class: 'card', dataset: { name: photo.name } }, [el('div', { class: 'thumb' }, [img, badge, remove]), body]);
    const card = { root, badge, body };
    this.#cards.set(photo.id, card);
    return card;
  }

  #update(card, photo, { threshold, similarity, best }) {
    const state = photo.error ? 'error' : photo.scores && photo.embedding ? 'done' : 'pending';
    card.root.dataset.state = state;
    card.root.classList.toggle('best', best);
    card.badge.hidden = !best;
    const children = [el('h3', { class: 'card-title', text: photo.name, title: photo.name })];
    if (similarity !== null) children.push(el('span', { class: 'match', text: `Match ${similarity.toFixed(3)}` }));
    if (state === 'error') children.push(el('p', { class: 'card-state', text: `Could not read: ${photo.error}` }));
    else if (!photo.scores) children.push(el('p', { class: 'card-state', text: 'Tagging…' }));
    else children.push(this.#tags(photo.scores, threshold));
    card.body.replaceChildren(...children);
  }

  #tags(scores, threshold) {
    const sorted = [...scores].sort((a, b) => b.score - a.score);
    const above = sorted.filter((s) => s.score >= threshold).slice(0, MAX_TAGS);
    const list = el('ul', { class: 'tags', 'aria-label': 'Tags' });
    const shown = above.length ? above : sorted.slice(0, 1);
    for (const s of shown) {
      const guess = above.length === 0;
      list.append(el('li', { class: guess ? 'tag guess' : 'tag', title: guess ? `Best guess, below the ${percent(threshold)} threshold` : undefined }, [
        el('span', { class: 'tag-label', text: s.label }),
        el('span', { class: 'tag-score', text: percent(s.score) }),
        el('span', { class: 'tag-bar', 'aria-hidden': 'true' }, [el('span', { style: { width: `${Math.max(2, s.score * 100)}%` } })]),
      ]));
    }
    return list;
  }
}
