/**
 * Main-thread side of thumb-worker.js: one request in flight at a time (the worker decodes one full
 * photo at a time, so a 1,000-photo folder never holds more than one decoded image).
 */
export class Thumbnailer {
  #worker = null;
  #seq = 0;
  #pending = new Map();
  #chain = Promise.resolve();

  #ensureWorker() {
    if (this.#worker) return this.#worker;
    this.#worker = new Worker(new URL('./thumb-worker.js', import.meta.url), { name: 'demo-thumbnails' });
    this.#worker.onmessage = ({ data }) => {
      const done = this.#pending.get(data.seq);
      this.#pending.delete(data.seq);
      done?.(data);
    };
    this.#worker.onerror = () => {
      // A crashed worker answers nothing: fail what waits, start a fresh one next time.
      for (const done of this.#pending.values()) done({ readError: 'thumbnail worker failed' });
      this.#pending.clear();
      this.#worker?.terminate();
      this.#worker = null;
    };
    return this.#worker;
  }

  /** Resolves to { id, thumb?, width?, height?, thumbError?, readError? } for one file. */
  make(file) {
    const result = this.#chain.then(() => new Promise((resolve) => {
      const seq = ++this.#seq;
      this.#pending.set(seq, resolve);
      this.#ensureWorker().postMessage({ seq, file });
    }));
    this.#chain = result.then(() => undefined);
    return result;
  }

  dispose() {
    this.#worker?.terminate();
    this.#worker = null;
  }
}
