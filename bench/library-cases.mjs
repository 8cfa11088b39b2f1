/**
 * Library cases of `npm run bench` (issue 10), in their own pages (bench/library-page.html):
 *  A. indexing throughput: library.add over 4032×3024 (EXIF-rotated) and 640×480 JPEGs vs a bare
 *     batched vision pass (transformers.js session.run on ready pixel_values) in the same page and
 *     run, numThreads 1 and 2 (one page per thread count: ORT's thread pool is fixed per page);
 *  B. peak renderer RSS while indexing 2,000 photos vs the value after 100 (fixture model);
 *  C. a library of 100,000 imported embeddings: open + first text search, search latency; tag 10
 *     labels over 10,000 photos.
 * Everything a case needs is passed in (browser, page opener, RSS reader), nothing global.
 */
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : NaN; };
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length, samples: xs.map((x) => Math.round(x * 10) / 10) });

export async function runLibraryCases({ browser, diskContext, openPage, run, rendererRss, browserPid, loadavg, log, dtype, cfg, onPartial = () => undefined }) {
  const out = { config: cfg, indexing: {}, memory: null, large: null };
  const page = (context) => openPage(context, '', 'library-page.html');

  // ---- A. indexing throughput vs bare vision pass ----
  for (const threads of cfg.threadCounts) {
    if (!cfg.cases.includes('indexing')) break;
    log(`library A: indexing ${cfg.photos} × 4032×3024 and ${cfg.photos} × 640×480 photos, ${dtype}, numThreads ${threads}; bare vision batches of ${cfg.bareBatch}`);
    const context = await browser.newContext();
    try {
      const p = await page(context);
      const load = await run(p, 'loadSiglip', { dtype, threads });
      await run(p, 'loadBare', { threads, dtype });
      await run(p, 'openLibrary', { name: `index-${threads}` });
      // Warm-up (not counted): first vision pass of both sides, JIT, allocator growth.
      await run(p, 'index', { name: `index-${threads}`, n: cfg.bareBatch, sizes: [{ size: '640x480' }], tag: 'warm' });
      await run(p, 'bare', { batch: cfg.bareBatch, rounds: 1 });
      const bare = [];
      const pushBare = async () => { bare.push(...(await run(p, 'bare', { batch: cfg.bareBatch, rounds: cfg.bareRounds })).photosPerSecond); };
      await pushBare();
      const large = await run(p, 'index', { name: `index-${threads}`, n: cfg.photos, sizes: [{ size: '4032x3024' }], tag: `large${threads}` });
      log(`  large: ${large.photosPerSecond.toFixed(2)} photos/s (${large.added} added, ${large.failedCount} failed), load ${loadavg()[0].toFixed(1)}`);
      await pushBare();
      const small = await run(p, 'index', { name: `index-${threads}`, n: cfg.photos, sizes: [{ size: '640x480' }], tag: `small${threads}` });
      log(`  small: ${small.photosPerSecond.toFixed(2)} photos/s (${small.added} added, ${small.failedCount} failed), load ${loadavg()[0].toFixed(1)}`);
      await pushBare();
      const bareRate = median(bare);
      log(`  bare vision: ${bareRate.toFixed(2)} photos/s (median of ${bare.length} batches of ${cfg.bareBatch})`);
      out.indexing[`threads${threads}`] = {
        threads, reported: load.info.threads, large, small, bare: stat(bare), bareRate,
        ratioLarge: large.photosPerSecond / bareRate, ratioSmall: small.photosPerSecond / bareRate, loadavg1m: loadavg()[0],
      };
      onPartial(out);
    } finally {
      await context.close();
    }
  }

  // ---- B. memory while indexing 2,000 photos ----
  if (cfg.cases.includes('memory') && browserPid) {
    log(`library B: peak renderer RSS while indexing ${cfg.memoryPhotos} photos (every ${cfg.memoryLargeEvery}th 4032×3024, others 640×480), fixture model`);
    const context = await browser.newContext();
    try {
      const p = await page(context);
      await run(p, 'loadSiglip', { model: 'fixture', threads: 1 });
      await run(p, 'openLibrary', { name: 'memory' });
      const timeline = [];
      const timer = setInterval(() => timeline.push({ t: Date.now(), rss: rendererRss(browserPid) }), 200);
      let r;
      try {
        r = await run(p, 'index', { name: 'memory', n: cfg.memoryPhotos, sizes: [{ size: '4032x3024', every: cfg.memoryLargeEvery }, { size: '640x480' }], tag: 'mem' });
      } finally {
        clearInterval(timer);
      }
      const at100 = timeline.find((s) => s.t >= r.after100EpochMs)?.rss ?? NaN;
      const later = timeline.filter((s) => s.t >= r.after100EpochMs);
      const peak = Math.max(...later.map((s) => s.rss));
      out.memory = { photos: cfg.memoryPhotos, added: r.added, failedCount: r.failedCount, ms: r.ms, photosPerSecond: r.photosPerSecond, rssAfter100: at100, peakAfter100: peak, growth: peak - at100, rssAtEnd: timeline.at(-1)?.rss, samples: timeline.length, longestMainThreadTask: r.longestMainThreadTask };
      onPartial(out);
      log(`  RSS after 100: ${(at100 / 2 ** 20).toFixed(0)} MiB, peak after: ${(peak / 2 ** 20).toFixed(0)} MiB (+${((peak - at100) / 2 ** 20).toFixed(0)} MiB), ${r.photosPerSecond.toFixed(1)} photos/s`);
    } finally {
      await context.close();
    }
  }

  // ---- C. large imported libraries ----
  if (cfg.cases.includes('large')) {
    log(`library C: import ${cfg.bigFile} and ${cfg.tagFile}, then reopen in a new page (storage: ${cfg.largeStorage})`);
    const context = cfg.largeStorage === 'memory' ? await browser.newContext() : await diskContext();
    try {
      let p = await page(context);
      await run(p, 'loadSiglip', { dtype, threads: 2 });
      await run(p, 'openLibrary', { name: 'big' });
      const importBig = await run(p, 'importFile', { name: 'big', url: cfg.bigFile });
      await run(p, 'openLibrary', { name: 'tags' });
      const importTags = await run(p, 'importFile', { name: 'tags', url: cfg.tagFile });
      log(`  imported ${importBig.n} in ${(importBig.ms / 1000).toFixed(1)} s, ${importTags.n} in ${(importTags.ms / 1000).toFixed(1)} s`);
      // Reloads: same origin storage, a fresh page and worker each time; the median one is reported.
      const reopens = [];
      let load;
      for (let round = 0; round < cfg.reopenRounds; round++) {
        await p.close();
        p = await page(context);
        load = await run(p, 'loadSiglip', { dtype, threads: 2 });
        const r = await run(p, 'reopenAndSearch', { name: 'big', query: `a photo of a cat on a sofa ${round}` });
        log(`  reopen ${r.count} photos: open ${r.openMs.toFixed(0)} ms + first text search ${r.firstSearchMs.toFixed(0)} ms = ${r.totalMs.toFixed(0)} ms (model load before: ${load.ms.toFixed(0)} ms)`);
        reopens.push(r);
      }
      const reopen = { ...[...reopens].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(reopens.length / 2)], rounds: reopens.map((r) => r.totalMs) };
      const queries = Array.from({ length: cfg.searches }, (_, i) => `a photo of ${['a dog', 'the beach', 'a birthday cake', 'mountains', 'a red car'][i % 5]} number ${i}`);
      const textSearch = await run(p, 'searchTimes', { name: 'big', queries });
      const repeatSearch = await run(p, 'searchTimes', { name: 'big', queries: queries.map(() => queries[0]) });
      const vectorSearch = await run(p, 'searchTimes', { name: 'big', queries, asVector: true });
      const bareText = await run(p, 'bareText', { threads: 2, dtype, rounds: cfg.searches });
      log(`  search over 100k: new text ${median(textSearch.times).toFixed(0)} ms (bare text tower ${median(bareText.times).toFixed(0)} ms), repeated text ${median(repeatSearch.times).toFixed(0)} ms, vector ${median(vectorSearch.times).toFixed(0)} ms (medians)`);
      await run(p, 'openLibrary', { name: 'tags' });
      const labels = ['a cat', 'a dog', 'a beach', 'food', 'a car', 'mountains', 'a document', 'a person', 'flowers', 'snow'];
      const tag = await run(p, 'tagTimes', { name: 'tags', labels, rounds: cfg.tagRounds });
      const tagNew = await run(p, 'tagTimes', { name: 'tags', labels: labels.map((l) => `${l} at night`), rounds: 1 });
      log(`  tag 10 labels × ${tag.photos} photos: first ${tag.times[0].toFixed(0)} ms, then median ${median(tag.times.slice(1)).toFixed(0)} ms; new labels ${tagNew.times[0].toFixed(0)} ms`);
      out.large = { storage: cfg.largeStorage, loadavg1m: loadavg()[0], importBig, importTags, modelLoadMs: load.ms, reopen, textSearch: { ...stat(textSearch.times), longestMainThreadTask: textSearch.longestMainThreadTask }, bareText: stat(bareText.times), repeatSearch: stat(repeatSearch.times), vectorSearch: stat(vectorSearch.times), tag: { first: tag.times[0], rest: stat(tag.times.slice(1)), photos: tag.photos, newLabels: tagNew.times[0], longestMainThreadTask: tag.longestMainThreadTask } };
    } finally {
      await context.close();
    }
  }
  return out;
}
