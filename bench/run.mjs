#!/usr/bin/env node
/**
 * siglip-web vs transformers.js pipelines, same browser, same model files, same dtype, interleaved.
 *   npm run bench -- [--model DIR] [--dtype q8] [--threads 2] [--runs 5] [--quick] [--no-build] [--port 4199]
 *                    [--only main|library] [--photos DIR] [--library-cases indexing,memory,large] [--library-photos 200]
 * Writes bench/results/latest.json and latest.md. Not part of CI. See bench/README.md.
 */
import { execSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, readFileSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';
import { renderMarkdown } from './report.mjs';
import { runLibraryCases } from './library-cases.mjs';
import { renderLibraryMarkdown } from './library-report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);

const DEFAULT_MODEL = '/work/base-random';
const modelDir = resolve(opt('model', DEFAULT_MODEL));
const dtype = opt('dtype', 'q8');
const threads = Number(opt('threads', 2));
const quick = flag('quick');
const runs = Number(opt('runs', quick ? 2 : 4));
const bigRuns = Number(opt('big-runs', quick ? 1 : 2));
const loadRounds = Number(opt('load-rounds', quick ? 1 : 2));
const port = Number(opt('port', 4199));
const only = opt('only', null); // 'library' runs only the library cases (issue 10)
const photosDir = resolve(opt('photos', '/tmp/siglip-bench-photos'));
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  // measureUserAgentSpecificMemory() answers at once instead of waiting for the next GC.
  '--enable-blink-features=ForceEagerMeasureMemory'];

if (!existsSync(join(modelDir, 'config.json')) || !existsSync(join(modelDir, 'onnx'))) {
  console.error(`No SigLIP export at ${modelDir}.\nMake one with:  ../shared/tools/make-base-export /tmp/siglip-base-random\nthen: npm run bench -- --model /tmp/siglip-base-random`);
  process.exit(2);
}

const log = (...a) => console.log(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s]`, ...a);
const T0 = performance.now();

// ---- build and model mount --------------------------------------------------------------------
if (!flag('no-build')) {
  log('npm run build');
  execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
const modelsDir = join(here, 'models');
mkdirSync(modelsDir, { recursive: true });
const link = join(modelsDir, 'current');
if (existsSync(link) || (() => { try { return lstatSync(link).isSymbolicLink(); } catch { return false; } })()) {
  if (!lstatSync(link).isSymbolicLink() || readlinkSync(link) !== modelDir) unlinkSync(link);
}
if (!existsSync(link)) symlinkSync(modelDir, link);
// Library cases read generated photos and library files through bench/photos (gitignored).
const photosLink = join(here, 'photos');
try { if (lstatSync(photosLink).isSymbolicLink() && readlinkSync(photosLink) !== photosDir) unlinkSync(photosLink); } catch { /* absent */ }
if (!existsSync(photosLink) && existsSync(photosDir)) symlinkSync(photosDir, photosLink);
if (only !== 'main' && !existsSync(join(photosDir, 'photo_640x480_0.jpg'))) {
  console.error(`No bench photos in ${photosDir}. Make them with:\n  bench/make-photos.sh ${photosDir}\n  node bench/make-library-file.mjs ${photosDir}/library-100000.safetensors 100000\n  node bench/make-library-file.mjs ${photosDir}/library-10000.safetensors 10000\n(or run with --only main)`);
  process.exit(2);
}

// ---- helpers ----------------------------------------------------------------------------------
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length, samples: xs.map((x) => Math.round(x)) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of the browser's renderer processes (page + its workers live there). */
function rendererRss(browserPid) {
  const parent = new Map();
  const cmd = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(Number(pid), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(pid), readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch { /* gone */ }
  }
  const isDescendant = (pid) => { for (let p = pid, i = 0; p > 1 && i < 20; p = parent.get(p) ?? 0, i++) if (p === browserPid) return true; return false; };
  let rss = 0;
  for (const [pid, c] of cmd) {
    if (!c.includes('--type=renderer') || c.includes('--extension-process') || !isDescendant(pid)) continue;
    try { rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024; } catch { /* gone */ }
  }
  return rss;
}

function sampler(browserPid) {
  let peak = 0;
  const id = setInterval(() => { peak = Math.max(peak, rendererRss(browserPid)); }, 200);
  return { stop: () => { clearInterval(id); peak = Math.max(peak, rendererRss(browserPid)); return peak; } };
}

async function openPage(context, query = '', pageName = 'page.html') {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') { const t = m.text(); if (!/onnxruntime|VerifyEachNodeIsAssignedToAnEp|Rerunning with verbose|CleanUnusedInitializers|Removing initializer/.test(t)) console.log(`  [page ${m.type()}] ${t.slice(0, 300)}`); } });
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/coi/bench/${pageName}${query}`);
  await page.waitForFunction(() => window.benchReady === true);
  return page;
}
const run = (page, name, args) => page.evaluate(([n, a]) => window.bench.run(n, a), [name, args]);

/** Heap of the page (CDP) and of every worker target (CDP, attached through the browser session). */
async function heaps(page, browserSession) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
  await cdp.detach();
  const workers = [];
  const { targetInfos } = await browserSession.send('Target.getTargets');
  for (const t of targetInfos.filter((x) => x.type === 'worker')) {
    try {
      const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
      const usage = await new Promise((ok, fail) => {
        const onMsg = (ev) => {
          if (ev.sessionId !== sessionId) return;
          const msg = JSON.parse(ev.message);
          if (msg.id === 1) { browserSession.off('Target.receivedMessageFromTarget', onMsg); msg.error ? fail(new Error(msg.error.message)) : ok(msg.result); }
        };
        browserSession.on('Target.receivedMessageFromTarget', onMsg);
        browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }) }).catch(fail);
        setTimeout(() => fail(new Error('timeout')), 5000);
      });
      workers.push({ url: t.url, usedSize: usage.usedSize, totalSize: usage.totalSize });
      await browserSession.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    } catch (err) { workers.push({ url: t.url, error: String(err) }); }
  }
  return { pageJsHeapUsed: m.JSHeapUsedSize, pageJsHeapTotal: m.JSHeapTotalSize, workers };
}

// ---- main -------------------------------------------------------------------------------------
const server = await startServer({ port });
log(`serving ${root} on :${port}; model ${modelDir} (${dtype}), ${threads} threads`);
const browser = await chromium.launch({ executablePath, args: ARGS, headless: true });
// Playwright's Browser has no process(): the browser is the chromium child of this node process.
const browserPid = (() => {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom')) return Number(pid);
    } catch { /* gone */ }
  }
  return undefined;
})();
const browserSession = await browser.newBrowserCDPSession();
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), os: `${osType()} ${release()}`, loadavgAtStart: loadavg() },
  browser: { version: browser.version(), executablePath, args: ARGS },
  config: { model: modelDir, dtype, threads, runs, bigRuns, loadRounds, images: '640x480 JPEG q0.9, generated in page' },
  versions: {
    transformers: JSON.parse(readFileSync(join(root, 'node_modules/@huggingface/transformers/package.json'), 'utf8')).version,
    onnxruntimeWeb: JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version,
    siglipWeb: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
    gitHead: (() => { try { return execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim(); } catch { return null; } })(),
  },
  cases: {},
};
const C = result.cases;

try {
  if (only !== 'library') {
    // ---- case 7: bundle sizes (no browser needed) ----
    C.bundle = {};
    for (const f of ['siglip-web.mjs', 'siglip-web.js', 'siglip-web.worker.js']) {
      const buf = readFileSync(join(root, 'dist', f));
      C.bundle[f] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, brotli: brotliCompressSync(buf).length };
    }
    const ortWasm = join(root, 'dist/ort/ort-wasm-simd-threaded.asyncify.wasm');
    if (existsSync(ortWasm)) { const b = readFileSync(ortWasm); C.bundle['ort/ort-wasm-simd-threaded.asyncify.wasm'] = { raw: b.length, gzip: gzipSync(b, { level: 6 }).length }; }

    // ---- case 4 + 6: cold/warm load and memory, one side per browser context ----
    log('case 4/6: cold and warm load, memory (one side per fresh context)');
    const load = { ours: { cold: [], warm: [], coldLoadOnly: [], warmLoadOnly: [] }, theirs: { cold: [], warm: [], coldLoadOnly: [], warmLoadOnly: [] } };
    const memory = {};
    for (let r = 0; r < loadRounds; r++) {
      for (const side of r % 2 ? ['theirs', 'ours'] : ['ours', 'theirs']) {
        const context = await browser.newContext();
        const loadIt = async (page) => {
          await run(page, 'makeImages', { n: 32 });
          return side === 'ours'
            ? run(page, 'loadOurs', { dtype, threads })
            : run(page, 'loadTheirs', { which: 'zeroShot', dtype, threads });
        };
        let page = await openPage(context);
        const cold = await loadIt(page);
        load[side].cold.push(cold.firstResultMs);
        load[side].coldLoadOnly.push(cold.loadMs);
        if (side === 'ours') result.oursInfo = cold.info;
        await page.close();
        page = await openPage(context); // same context: HTTP cache / Cache Storage survive
        const warm = await loadIt(page);
        load[side].warm.push(warm.firstResultMs);
        load[side].warmLoadOnly.push(warm.loadMs);
        log(`  ${side} round ${r + 1}: cold ${cold.firstResultMs.toFixed(0)} ms (load ${cold.loadMs.toFixed(0)}), warm ${warm.firstResultMs.toFixed(0)} ms (load ${warm.loadMs.toFixed(0)})`);
        if (r === 0 && browserPid) {
          // Memory while classifying 8 images x 10 labels once, alone in the browser.
          const s = sampler(browserPid);
          // 8 images x 10 labels (one vision batch for us; one model call for them).
          const alone = side === 'ours' ? await run(page, 'oursClassify', { img: 0, n: 8, k: 10 }) : await run(page, 'theirsClassify', { img: 0, n: 8, k: 10 });
          const peakRss = s.stop();
          // Case 5 again with this side alone in its page (no other side's garbage to collect on the main thread).
          (C.case5alone ??= {})[side] = { ...alone.blocking, ms: alone.ms, note: '8 images x 10 labels, one side alone in its page' };
          memory[side] = { peakRendererRss: peakRss, ...(await heaps(page, browserSession)), measureUserAgentSpecificMemory: await run(page, 'measureMemory', {}).catch((e) => String(e)) };
          log(`  ${side} memory: peak renderer RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
        }
        await context.close();
      }
    }
    C.load = Object.fromEntries(Object.entries(load).map(([s, v]) => [s, Object.fromEntries(Object.entries(v).map(([k, xs]) => [k, stat(xs)]))]));
    C.memory = memory;

    // ---- main comparison page: everything loaded once, runs interleaved ----
    log('loading both sides in one page');
    const context = await browser.newContext();
    const page = await openPage(context);
    result.page = await run(page, 'info', {});
    await run(page, 'makeImages', { n: 64 });
    const l1 = await run(page, 'loadOurs', { dtype, threads, firstResult: false });
    result.oursInfo = l1.info;
    await run(page, 'loadTheirs', { which: 'zeroShot', dtype, threads, firstResult: false });
    await run(page, 'loadTheirs', { which: 'imageFeatures', dtype, threads, firstResult: false });
    await run(page, 'loadTheirs', { which: 'text', dtype, threads, firstResult: false });

    // warm-up: first inference of every path (JIT, allocator growth) is not counted
    let img = 1;
    for (const k of [1, 10, 50]) {
      const oursFirst = await run(page, 'oursClassify', { img: img++, k });
      const theirsFirst = await run(page, 'theirsClassify', { img: img++, k });
      (C.firstCallWithNewLabels ??= {})[`K${k}`] = { ours: oursFirst.ms, theirs: theirsFirst.ms };
    }
    await run(page, 'bareVisionPipeline', { img: img++ });
    await run(page, 'bareVisionRun', { img: img++ });
    await run(page, 'preprocess', { img: 0, side: 'ours' });
    await run(page, 'preprocess', { img: 0, side: 'theirs' });

    // case 1: one new image per call, same labels across calls; bare vision passes interleaved.
    log(`case 1: one image per call, K = 1, 10, 50 (${runs} runs each, interleaved with bare vision passes)`);
    C.case1 = {};
    await run(page, 'loadOurs', { key: 'one', dtype, threads: 1, firstResult: false });
    await run(page, 'oursClassify', { key: 'one', img: 0, k: 10 }); // warm-up + label cache like the main instance
    await run(page, 'oursClassify', { key: 'one', img: 0, k: 1 });
    const ours1K1 = [];
    const bare = { pipeline: [], run: [] };
    const prep = { ours: [], theirs: [] };
    for (const k of [1, 10, 50]) {
      const o = [];
      const t = [];
      for (let i = 0; i < runs; i++) {
        const im = img++;
        const order = i % 2 ? ['theirs', 'ours'] : ['ours', 'theirs'];
        for (const side of order) {
          await sleep(100);
          if (side === 'ours') o.push((await run(page, 'oursClassify', { img: im, k })).ms);
          else t.push((await run(page, 'theirsClassify', { img: im, k })).ms);
        }
        if (k === 1) { await sleep(100); ours1K1.push((await run(page, 'oursClassify', { key: 'one', img: im, k })).ms); }
        await sleep(100);
        bare.run.push((await run(page, 'bareVisionRun', { img: im })).ms);
        await sleep(100);
        bare.pipeline.push((await run(page, 'bareVisionPipeline', { img: im })).ms);
        prep.ours.push((await run(page, 'preprocess', { img: im, side: 'ours' })).ms);
        prep.theirs.push((await run(page, 'preprocess', { img: im, side: 'theirs' })).ms);
      }
      C.case1[`K${k}`] = { ours: stat(o), theirs: stat(t), ratio: median(o) / median(t), loadavg1m: loadavg()[0] };
      log(`  K=${k}: ours ${median(o).toFixed(0)} ms, theirs ${median(t).toFixed(0)} ms`);
    }
    C.bareVision = { sessionRun: stat(bare.run), imageFeatureExtractionPipeline: stat(bare.pipeline) };
    C.preprocessOneImage = { ours: stat(prep.ours), theirs: stat(prep.theirs) };
    for (const k of ['K1', 'K10', 'K50']) {
      C.case1[k].vsBareRun = C.case1[k].ours.median / C.bareVision.sessionRun.median;
      C.case1[k].vsBarePipeline = C.case1[k].ours.median / C.bareVision.imageFeatureExtractionPipeline.median;
    }
    log(`  bare vision: session.run ${C.bareVision.sessionRun.median.toFixed(0)} ms, image-feature-extraction pipeline ${C.bareVision.imageFeatureExtractionPipeline.median.toFixed(0)} ms`);

    // case 2 + 5 (+ threads): 32 images, K = 10; main-thread long tasks; 1-thread instance interleaved.
    log(`case 2/5: 32 images x 10 labels (${bigRuns} runs), long tasks; 1-thread comparison`);
    const c2 = { ours: [], theirs: [], ours1: [] };
    const blocking = { ours: [], theirs: [] };
    for (let i = 0; i < bigRuns; i++) {
      const order = i % 2 ? ['theirs', 'ours', 'ours1'] : ['ours', 'theirs', 'ours1'];
      for (const side of order) {
        if (side === 'ours1' && i >= Math.max(1, bigRuns - 1)) continue;
        await sleep(200);
        const r = side === 'theirs'
          ? await run(page, 'theirsClassify', { img: 0, n: 32, k: 10 })
          : await run(page, 'oursClassify', { key: side === 'ours1' ? 'one' : 'main', img: 0, n: 32, k: 10 });
        c2[side].push(r.ms);
        if (side !== 'ours1') blocking[side].push(r.blocking);
        log(`  ${side}: ${r.ms.toFixed(0)} ms, longest main-thread task ${r.blocking?.longest.toFixed(0)} ms, heartbeat gap ${r.blocking?.maxHeartbeatGap.toFixed(0)} ms, load ${loadavg()[0].toFixed(1)}`);
      }
    }
    await run(page, 'disposeOurs', { key: 'one' });
    C.case2 = { ours: stat(c2.ours), theirs: stat(c2.theirs), ratio: median(c2.ours) / median(c2.theirs), perImageOurs: median(c2.ours) / 32, perImageTheirs: median(c2.theirs) / 32 };
    C.threads = { twoThreads: stat(c2.ours), oneThread: stat(c2.ours1), speedup: median(c2.ours1) / median(c2.ours), case1K1OneThread: stat(ours1K1), case1K1TwoThreads: C.case1.K1.ours, note: 'ours, case 2 (and case 1 K=1), numThreads 1 vs numThreads ' + threads + ' in the same isolated page, interleaved' };
    C.case5 = Object.fromEntries(Object.entries(blocking).map(([s, xs]) => [s, { longestTaskMs: Math.max(...xs.map((x) => x.longest)), totalBlockingTimeMs: stat(xs.map((x) => x.tbt)), longTasks: stat(xs.map((x) => x.count)), maxHeartbeatGapMs: Math.max(...xs.map((x) => x.maxHeartbeatGap)) }]));

    // case 3: embeddings
    log(`case 3: image embeddings (32) and text embeddings (100), ${bigRuns} runs`);
    const e = { img: { ours: [], theirs: [] }, txt: { ours: [], theirs: [] } };
    await run(page, 'oursEmbedText', { n: 8 });
    await run(page, 'theirsEmbedText', { n: 8 });
    for (let i = 0; i < bigRuns; i++) {
      const order = i % 2 ? ['theirs', 'ours'] : ['ours', 'theirs'];
      for (const side of order) { await sleep(200); e.img[side].push((await run(page, side === 'ours' ? 'oursEmbedImages' : 'theirsEmbedImages', { img: 32, n: 32 })).ms); }
      for (const side of order) { await sleep(200); e.txt[side].push((await run(page, side === 'ours' ? 'oursEmbedText' : 'theirsEmbedText', { n: 100 })).ms); }
      log(`  run ${i + 1}: images ours ${e.img.ours.at(-1).toFixed(0)} / theirs ${e.img.theirs.at(-1).toFixed(0)} ms; texts ours ${e.txt.ours.at(-1).toFixed(0)} / theirs ${e.txt.theirs.at(-1).toFixed(0)} ms`);
    }
    C.case3 = {
      imageEmbeddings32: { ours: stat(e.img.ours), theirs: stat(e.img.theirs), ratio: median(e.img.ours) / median(e.img.theirs) },
      textEmbeddings100: { ours: stat(e.txt.ours), theirs: stat(e.txt.theirs), ratio: median(e.txt.ours) / median(e.txt.theirs) },
    };
    C.memory.mainPageAfterAll = await heaps(page, browserSession);
    await context.close();
  }

  // ---- library cases (issue 10) ----
  if (only === null || only === 'library') {
    result.library = await runLibraryCases({
      browser, openPage, run, rendererRss, browserPid, loadavg, log, dtype,
      // A browser with an on-disk profile, as a returning user has (newContext() keeps storage in memory).
      diskContext: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'siglip-bench-profile-'));
        const context = await chromium.launchPersistentContext(dir, { executablePath, args: ARGS, headless: true });
        const close = context.close.bind(context);
        context.close = async () => { await close(); rmSync(dir, { recursive: true, force: true }); };
        return context;
      },
      // A long run on a shared machine may be cut short: keep what is measured so far.
      onPartial: (partial) => { mkdirSync(join(here, 'results'), { recursive: true }); writeFileSync(join(here, 'results', 'library.partial.json'), `${JSON.stringify({ ...result, library: partial }, null, 2)}\n`); },
      cfg: {
        cases: opt('library-cases', 'indexing,memory,large').split(','),
        threadCounts: opt('library-threads', '1,2').split(',').map(Number),
        photos: Number(opt('library-photos', quick ? 40 : 200)),
        bareBatch: 8,
        bareRounds: quick ? 1 : 2,
        memoryPhotos: Number(opt('memory-photos', quick ? 300 : 2000)),
        memoryLargeEvery: 4,
        bigFile: '/bench/photos/library-100000.safetensors',
        tagFile: '/bench/photos/library-10000.safetensors',
        searches: quick ? 5 : 15,
        reopenRounds: Number(opt('reopen-rounds', quick ? 1 : 3)),
        largeStorage: opt('large-storage', 'disk'),
        tagRounds: quick ? 3 : 8,
      },
    });
  }
} finally {
  result.machine.loadavgAtEnd = loadavg();
  result.durationSeconds = Math.round((performance.now() - T0) / 1000);
  await browser.close().catch(() => undefined);
  server.close();
}

mkdirSync(join(here, 'results'), { recursive: true });
if (only !== 'library') {
  writeFileSync(join(here, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'latest.md'), renderMarkdown(result));
  log('wrote bench/results/latest.json and latest.md');
  console.log(renderMarkdown(result));
}
if (result.library) {
  // Library cases in files of their own, so `--only library` reruns never overwrite the main table.
  const { cases: _omit, ...context } = result;
  writeFileSync(join(here, 'results', 'library.json'), `${JSON.stringify(context, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'library.md'), renderLibraryMarkdown(context));
  log('wrote bench/results/library.json and library.md');
  console.log(renderLibraryMarkdown(context));
}
