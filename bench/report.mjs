/** Markdown rendering of bench/results/latest.json. */
const ms = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : `${Math.round(x)} ms`);
const range = (s) => (s ? `${ms(s.median)} (${Math.round(s.min)}–${Math.round(s.max)}, n=${s.n})` : '–');
const ratio = (x) => (x === undefined || Number.isNaN(x) ? '–' : `${x.toFixed(2)}×`);
const mib = (b) => (typeof b === 'number' ? `${(b / 2 ** 20).toFixed(0)} MiB` : '–');
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const ok = (b) => (b ? '**met**' : '**missed**');

export function renderMarkdown(r) {
  const C = r.cases;
  const L = [];
  L.push(`# siglip-web benchmark — ${r.date}`, '');
  L.push(`Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${mib(r.machine.memoryBytes)} RAM, ${r.machine.os}; load average at start ${r.machine.loadavgAtStart.map((x) => x.toFixed(2)).join(' / ')}, at end ${r.machine.loadavgAtEnd?.map((x) => x.toFixed(2)).join(' / ')}.`);
  L.push(`Browser: Chromium ${r.browser.version} (headless, ${r.browser.executablePath}), WASM backend, page cross-origin isolated: ${r.page?.crossOriginIsolated}.`);
  L.push(`Model: ${r.config.model}, dtype ${r.config.dtype}, threads ${r.config.threads} (ours reports ${r.oursInfo?.threads}, device ${r.oursInfo?.device}, worker ${r.oursInfo?.worker}). transformers.js ${r.versions.transformers}, onnxruntime-web ${r.versions.onnxruntimeWeb}, siglip-web ${r.versions.siglipWeb} @ ${r.versions.gitHead}.`);
  L.push(`Images: ${r.config.images}. Each cell: median (min–max, n). Ours = siglip-web in its worker; theirs = transformers.js pipelines on the main thread. Ratio = ours / theirs (lower is better). Runs interleaved ours/theirs. Whole run ${r.durationSeconds} s.`, '');

  L.push('## Throughput', '', '| case | ours | theirs | ours/theirs |', '|---|---|---|---|');
  for (const k of ['K1', 'K10', 'K50']) {
    const c = C.case1?.[k];
    if (c) L.push(`| 1. one image per call, ${k.slice(1)} label(s) | ${range(c.ours)} | ${range(c.theirs)} | ${ratio(c.ratio)} |`);
  }
  if (C.case2) L.push(`| 2. 32 images in one call, 10 labels | ${range(C.case2.ours)} | ${range(C.case2.theirs)} | ${ratio(C.case2.ratio)} |`);
  if (C.case3) {
    L.push(`| 3a. image embeddings, 32 images | ${range(C.case3.imageEmbeddings32.ours)} | ${range(C.case3.imageEmbeddings32.theirs)} | ${ratio(C.case3.imageEmbeddings32.ratio)} |`);
    L.push(`| 3b. text embeddings, 100 texts | ${range(C.case3.textEmbeddings100.ours)} | ${range(C.case3.textEmbeddings100.theirs)} | ${ratio(C.case3.textEmbeddings100.ratio)} |`);
  }
  if (C.load) {
    L.push(`| 4a. cold load → first result (fresh context) | ${range(C.load.ours.cold)} | ${range(C.load.theirs.cold)} | ${ratio(C.load.ours.cold.median / C.load.theirs.cold.median)} |`);
    L.push(`| 4b. warm load → first result (page reload, same context) | ${range(C.load.ours.warm)} | ${range(C.load.theirs.warm)} | ${ratio(C.load.ours.warm.median / C.load.theirs.warm.median)} |`);
    L.push(`| 4c. cold load only (no inference) | ${range(C.load.ours.coldLoadOnly)} | ${range(C.load.theirs.coldLoadOnly)} | ${ratio(C.load.ours.coldLoadOnly.median / C.load.theirs.coldLoadOnly.median)} |`);
    L.push(`| 4d. warm load only (no inference) | ${range(C.load.ours.warmLoadOnly)} | ${range(C.load.theirs.warmLoadOnly)} | ${ratio(C.load.ours.warmLoadOnly.median / C.load.theirs.warmLoadOnly.median)} |`);
  }
  if (C.firstCallWithNewLabels) {
    for (const [k, v] of Object.entries(C.firstCallWithNewLabels)) L.push(`| first call with ${k.slice(1)} new labels (warm-up, n=1) | ${ms(v.ours)} | ${ms(v.theirs)} | ${ratio(v.ours / v.theirs)} |`);
  }
  L.push('');

  if (C.bareVision) {
    L.push('## The floor: a bare vision-tower pass (same run, same page)', '');
    L.push(`- transformers.js vision session.run on ready pixel_values (1 image): ${range(C.bareVision.sessionRun)}`);
    L.push(`- transformers.js \`image-feature-extraction\` pipeline (1 image, decode + preprocess + vision): ${range(C.bareVision.imageFeatureExtractionPipeline)}`);
    L.push(`- preprocessing only (decode + resize + normalize, 640×480 JPEG, on the page): ours (Python-exact) ${range(C.preprocessOneImage?.ours)}, transformers.js ${range(C.preprocessOneImage?.theirs)}`);
    L.push(`- case 2 per image: ours ${ms(C.case2?.perImageOurs)}, theirs ${ms(C.case2?.perImageTheirs)}`, '');
  }

  L.push('## Main thread, memory, threads, size', '');
  if (C.case5) {
    L.push('| during case 2 (32 images × 10 labels) | ours (worker) | theirs (main thread) |', '|---|---|---|');
    L.push(`| longest main-thread task | ${ms(C.case5.ours.longestTaskMs)} | ${ms(C.case5.theirs.longestTaskMs)} |`);
    L.push(`| total blocking time per call | ${range(C.case5.ours.totalBlockingTimeMs)} | ${range(C.case5.theirs.totalBlockingTimeMs)} |`);
    L.push(`| long tasks per call | ${C.case5.ours.longTasks.median} | ${C.case5.theirs.longTasks.median} |`);
    L.push(`| largest gap of a 10 ms main-thread heartbeat | ${ms(C.case5.ours.maxHeartbeatGapMs)} | ${ms(C.case5.theirs.maxHeartbeatGapMs)} |`, '');
  }
  if (C.memory?.ours && C.memory?.theirs) {
    const w = (m) => (m.workers?.length ? m.workers.map((x) => (x.usedSize !== undefined ? mib(x.usedSize) : x.error)).join(', ') : 'no worker');
    L.push('| memory (one side alone in the browser, after load + case 2 once) | ours | theirs |', '|---|---|---|');
    L.push(`| peak renderer-process RSS (page + worker + WASM heaps), sampled every 200 ms | ${mib(C.memory.ours.peakRendererRss)} | ${mib(C.memory.theirs.peakRendererRss)} |`);
    L.push(`| page JS heap used (CDP Performance.getMetrics) | ${mib(C.memory.ours.pageJsHeapUsed)} | ${mib(C.memory.theirs.pageJsHeapUsed)} |`);
    L.push(`| worker JS heap used (CDP Runtime.getHeapUsage) | ${w(C.memory.ours)} | ${w(C.memory.theirs)} |`);
    const mu = (m) => (m && typeof m === 'object' ? `${mib(m.bytes)} (${Object.entries(m.byScope).map(([k, v]) => `${k} ${mib(v)}`).join(', ')})` : String(m ?? '–'));
    L.push(`| performance.measureUserAgentSpecificMemory() | ${mu(C.memory.ours.measureUserAgentSpecificMemory)} | ${mu(C.memory.theirs.measureUserAgentSpecificMemory)} |`, '');
  }
  if (C.threads) L.push(`Threads (ours, case 2): ${r.config.threads} threads ${range(C.threads.twoThreads)} vs 1 thread ${range(C.threads.oneThread)} → ${ratio(C.threads.speedup)} faster with threads. Case 1 (K=1): ${r.config.threads} threads ${range(C.threads.case1K1TwoThreads)} vs 1 thread ${range(C.threads.case1K1OneThread)}.`, '');
  if (C.bundle) {
    L.push('| file | raw | gzip -9 | brotli |', '|---|---|---|---|');
    for (const [f, s] of Object.entries(C.bundle)) L.push(`| dist/${f} | ${kb(s.raw)} | ${kb(s.gzip)} | ${s.brotli ? kb(s.brotli) : '–'} |`);
    L.push('');
  }

  L.push('## Targets', '', '| target | measured | status |', '|---|---|---|');
  const c1 = C.case1?.K1;
  if (c1) {
    // The bare passes were taken in the same iterations as each K block: compare block by block.
    const n = r.config.runs;
    const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    ['K1', 'K10', 'K50'].forEach((k, i) => {
      const c = C.case1[k];
      const bare = C.bareVision.sessionRun.samples.slice(i * n, i * n + n);
      const pipe = C.bareVision.imageFeatureExtractionPipeline.samples.slice(i * n, i * n + n);
      const x = c.ours.median / med(bare);
      const paired = med(c.ours.samples.map((o, j) => o / bare[j]));
      L.push(`| case 1 (${k.slice(1)} labels) ≤ 1.1× bare vision session.run (same iterations) | ${ratio(x)} (paired median ${ratio(paired)}; ours ${ms(c.ours.median)} vs bare run ${ms(med(bare))}, bare pipeline ${ms(med(pipe))}) | ${ok(x <= 1.1)} |`);
    });
  }
  if (C.case2) L.push(`| case 2 no regression vs transformers.js (theirs/ours ≥ 1.0) | ${ratio(1 / C.case2.ratio)} | ${ok(1 / C.case2.ratio >= 1.0)} |`);
  if (C.case5) L.push(`| case 5 longest main-thread task < 50 ms (ours, shared page) | ${ms(C.case5.ours.longestTaskMs)}${C.case5alone?.ours ? `; ours alone in its page: ${ms(C.case5alone.ours.longest)} (heartbeat gap ${ms(C.case5alone.ours.maxHeartbeatGap)})` : ''} | ${ok((C.case5alone?.ours?.longest ?? C.case5.ours.longestTaskMs) < 50)}${C.case5alone?.ours ? ' (alone)' : ''} |`);
  if (C.load) {
    const x = C.load.ours.warm.median / C.load.theirs.warm.median;
    L.push(`| warm load ≤ 1.1× transformers.js warm load | ${ratio(x)} | ${ok(x <= 1.1)} |`);
  }
  if (C.threads) L.push(`| ${r.config.threads} threads faster than 1 on case 2 | ${ratio(C.threads.speedup)} | ${ok(C.threads.speedup > 1)} |`);
  if (C.bundle) L.push(`| main-thread entry ≤ 25 KB gzipped | dist/siglip-web.mjs ${kb(C.bundle['siglip-web.mjs'].gzip)}, dist/siglip-web.js ${kb(C.bundle['siglip-web.js'].gzip)} | ${ok(C.bundle['siglip-web.mjs'].gzip <= 25000 && C.bundle['siglip-web.js'].gzip <= 25000)} |`);
  L.push('');
  return `${L.join('\n')}\n`;
}
