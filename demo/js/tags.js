/**
 * Tags from stored embeddings: library.tag(labels, { ids, topk }) for the cards on screen only, cached
 * per label set. Changing the labels drops the cache (a new generation) and the visible cards are
 * re-tagged at once — no vision pass. A label error is reported once (onError), not on every photo.
 */
const TOP_K = 5;
const BATCH = 200;

export class Tags {
  generation = 0;
  labels = [];
  error = null;
  #scores = new Map();
  #inFlight = new Set();

  constructor(onChange) {
    this.onChange = onChange;
  }

  setLabels(labels) {
    this.labels = labels;
    this.generation++;
    this.error = null;
    this.#scores.clear();
    this.#inFlight.clear();
    this.onChange();
  }

  /** Forget everything (another library / model). */
  reset() {
    this.setLabels(this.labels);
  }

  get(id) {
    return this.#scores.get(id);
  }

  forget(ids) {
    for (const id of ids) this.#scores.delete(id);
  }

  /** Fetches tags for those of `ids` not known yet; resolves to the ids the library answered for. */
  async request(library, ids) {
    if (!library || this.error) return [];
    const generation = this.generation;
    const missing = ids.filter((id) => !this.#scores.has(id) && !this.#inFlight.has(id));
    if (missing.length === 0) return [];
    if (this.labels.length === 0) {
      for (const id of missing) this.#scores.set(id, []);
      this.onChange();
      return missing;
    }
    const answered = [];
    for (let i = 0; i < missing.length; i += BATCH) {
      const batch = missing.slice(i, i + BATCH);
      for (const id of batch) this.#inFlight.add(id);
      try {
        const result = await library.tag(this.labels, { ids: batch, topk: TOP_K });
        if (generation !== this.generation) return answered;
        for (const [id, scores] of Object.entries(result)) {
          this.#scores.set(id, scores);
          answered.push(id);
        }
      } catch (err) {
        if (generation !== this.generation) return answered;
        this.error = err instanceof Error ? err.message : String(err);
      } finally {
        for (const id of batch) this.#inFlight.delete(id);
      }
      this.onChange();
      if (this.error) break;
    }
    return answered;
  }
}
