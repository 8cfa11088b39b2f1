/**
 * Adds picked/dropped files to the library: thumbnails (worker) feed library.add as an async
 * iterable, so the library's decode/embed pipeline and our thumbnails overlap and nothing is held
 * per photo except the small thumbnail. Progress, photos/s and ETA come from the library's
 * onProgress. Photos become 'indexed' as library.tag starts answering for their ids; the add report
 * settles the rest (added/skipped → indexed, everything else → failed with the library's error).
 */
const LOOKAHEAD = 2; // thumbnails prepared ahead of what the library has taken

export class Indexer {
  job = null; // { total, done, added, skipped, failed, imagesPerSecond, etaSeconds, startedAt, controller }

  constructor({ photos, thumbnailer, thumbStore, onProgress, onFinished, probeIndexed }) {
    Object.assign(this, { photos, thumbnailer, thumbStore, onProgress, onFinished, probeIndexed });
  }

  get running() {
    return this.job !== null;
  }

  stop() {
    this.job?.controller.abort();
  }

  async add(library, libraryName, files) {
    const controller = new AbortController();
    const job = { total: files.length, done: 0, added: 0, skipped: 0, failed: 0, startedAt: performance.now(), controller };
    this.job = job;
    this.onProgress(job);
    const handed = new Map(); // id -> name, for photos handed to the library
    const photos = this.photos;
    const thumbStore = this.thumbStore;
    const thumbnailer = this.thumbnailer;
    const nameOf = (file) => file.webkitRelativePath || file.name;

    async function* sources() {
      const ahead = [];
      let next = 0;
      const refill = () => { while (ahead.length < LOOKAHEAD && next < files.length) { const file = files[next++]; ahead.push(thumbnailer.make(file).then((t) => ({ file, t }))); } };
      refill();
      while (ahead.length) {
        const { file, t } = await ahead.shift();
        refill();
        if (controller.signal.aborted) return;
        const name = nameOf(file);
        if (t.readError) {
          // Unreadable bytes: still hand it over so the library reports it with its own typed error.
          yield { blob: file, name };
          continue;
        }
        const record = { id: t.id, name, addedAt: Date.now() - files.length + next, width: t.width, height: t.height, thumb: t.thumb ?? null };
        if (!photos.get(t.id)) {
          if (t.thumb) await thumbStore.put(libraryName, record);
          photos.upsert({ ...record, state: 'indexing' });
        } else if (photos.get(t.id).state !== 'indexed') photos.upsert({ state: 'indexing', error: null, id: t.id });
        handed.set(t.id, name);
        yield { blob: file, name, id: t.id };
      }
    }

    let probeTimer = 0;
    const probe = () => {
      const pending = [...handed.keys()].filter((id) => photos.get(id)?.state === 'indexing');
      if (pending.length) void this.probeIndexed(pending);
    };
    let report = null;
    let error = null;
    try {
      report = await library.add(sources(), {
        signal: controller.signal,
        onProgress: (p) => {
          Object.assign(job, p, { total: Math.max(job.total, p.total ?? 0) });
          const rate = p.imagesPerSecond;
          job.etaSeconds = p.etaSeconds ?? (rate > 0 ? (job.total - p.done) / rate : undefined);
          this.onProgress(job);
          if (!probeTimer) probeTimer = setTimeout(() => { probeTimer = 0; probe(); }, 1000);
        },
      });
    } catch (err) {
      error = err;
    } finally {
      clearTimeout(probeTimer);
    }
    this.#settle(libraryName, handed, report, error);
    this.job = null;
    this.onFinished({ report, error, aborted: controller.signal.aborted, total: files.length });
    return report;
  }

  /** After add: every handed photo is indexed (in report.ids) or failed (with the library's message). */
  #settle(libraryName, handed, report, error) {
    const stored = new Set(report?.ids ?? []);
    const errorsByName = new Map((report?.failed ?? []).map((f) => [f.name, f.error?.message ?? String(f.error)]));
    const failedIds = [];
    for (const [id, name] of handed) {
      const photo = this.photos.get(id);
      if (!photo || photo.state === 'indexed') continue;
      if (stored.has(id)) this.photos.upsert({ id, state: 'indexed', error: null });
      else if (errorsByName.has(name)) {
        this.photos.upsert({ id, state: 'failed', error: errorsByName.get(name) });
        failedIds.push(id);
      } else if (error || !report) {
        // Aborted or the whole call failed: not stored, so not kept.
        this.photos.remove([id]);
        failedIds.push(id);
      }
    }
    // Unreadable files never got an id: show them as failed cards of their own.
    for (const f of report?.failed ?? []) {
      if ([...handed.values()].includes(f.name)) continue;
      this.photos.upsert({ id: `failed:${f.name}:${Math.random().toString(36).slice(2)}`, name: f.name ?? 'photo', state: 'failed', error: f.error?.message ?? String(f.error), addedAt: Date.now() });
    }
    if (failedIds.length) void this.thumbStore.delete(libraryName, failedIds);
  }
}
