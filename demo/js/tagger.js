let nextId = 1;

/**
 * Tags photos one at a time in the background (the worker runs one request at a time anyway, and
 * one-by-one keeps a broken file from failing its neighbours). A generation counter drops answers
 * computed for a model or label set that has since changed.
 */
export class Tagger {
  photos = [];
  siglip = null;
  labels = [];
  #generation = 0;
  #running = false;

  constructor(onChange) {
    this.onChange = onChange;
  }

  add(files) {
    const added = files.map((file) => ({
      id: nextId++, name: file.name, file, url: URL.createObjectURL(file), scores: null, embedding: null, error: null,
    }));
    this.photos.push(...added);
    this.onChange();
    void this.#run();
    return added;
  }

  remove(id) {
    const photo = this.photos.find((p) => p.id === id);
    if (!photo) return;
    URL.revokeObjectURL(photo.url);
    this.photos = this.photos.filter((p) => p !== photo);
    this.onChange();
  }

  clear() {
    for (const p of this.photos) URL.revokeObjectURL(p.url);
    this.photos = [];
    this.onChange();
  }

  setModel(siglip) {
    this.siglip = siglip;
    this.#generation++;
    for (const p of this.photos) Object.assign(p, { scores: null, embedding: null, error: null });
    this.onChange();
    void this.#run();
  }

  setLabels(labels) {
    this.labels = labels;
    this.#generation++;
    for (const p of this.photos) Object.assign(p, { scores: null, error: null });
    this.onChange();
    void this.#run();
  }

  /** { done, total } over the photos present now. */
  progress() {
    const total = this.photos.length;
    const done = this.photos.filter((p) => p.error || (p.scores && p.embedding)).length;
    return { done, total };
  }

  async #run() {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        const { siglip, labels } = this;
        const generation = this.#generation;
        const photo = siglip && this.photos.find((p) => !p.error && (!p.scores || !p.embedding));
        if (!photo) break;
        try {
          const scores = photo.scores ?? (labels.length ? await siglip.classify(photo.file, labels) : []);
          const embedding = photo.embedding ?? (await siglip.embedImage(photo.file));
          if (generation === this.#generation) Object.assign(photo, { scores, embedding });
        } catch (err) {
          if (generation === this.#generation) photo.error = err instanceof Error ? err.message : String(err);
        }
        this.onChange(photo);
      }
    } finally {
      this.#running = false;
    }
  }
}
