#!/usr/bin/env node
/**
 * Cross-engine suite: the SDK's public API in Firefox ESR, WebKitGTK (Safari's engine) and a
 * Chromium incognito context, against the Python references in test/fixtures/reference, through the
 * same server (scripts/serve.mjs, plain and /coi/) and harness page as the Playwright suite.
 *
 *   node test/engines/run.mjs                    all engines
 *   ENGINES=firefox,webkit node test/engines/run.mjs
 *   TEST_PORT=4213 (server port; IndexedDB is per origin, so one port for the whole run)
 *
 * Per engine: token ids and pixels vs Python; plain and cross-origin-isolated pages × worker and
 * inline: load (never hanging), scores vs Python, info.threads vs what the page can really do,
 * `ready` before createSiglip() resolves, one bad input (typed error, next call works); the
 * IndexedDB cache (Firefox: persistent profile across a relaunch with zero model requests; WebKit:
 * within its ephemeral session); private sessions. Ends with `N passed, N failed`; exit 1 on failure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve.mjs';
import { chromiumIncognitoSession, firefoxSession, stopDisplay, tempProfile, webkitSession } from './drivers.mjs';
import * as pageFns from './page-functions.mjs';
import { CHECK_TIMEOUT_MS, checkProcessors, checkVisit, checkCacheSources, formatMs } from './expectations.mjs';

const PORT = Number(process.env.ENGINE_TEST_PORT ?? process.env.TEST_PORT ?? 4273);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const FIXTURE_DIR = 'test/fixtures/siglip-shapes';
const MODEL = `${ORIGIN}/${FIXTURE_DIR}/`;
const HARNESS = '/test/browser/pages/harness.html';
const ENGINES = (process.env.ENGINES ?? 'firefox,webkit,chromium').split(',').map((s) => s.trim()).filter(Boolean);

const REF = 'test/fixtures/reference';
const zeroShot = JSON.parse(readFileSync(`${REF}/zero_shot.json`, 'utf8'));
const embeddings = JSON.parse(readFileSync(`${REF}/embeddings.json`, 'utf8'));
const tokenization = JSON.parse(readFileSync(`${REF}/tokenization.json`, 'utf8'));
// The JPEG 2000 files Pillow loads and we decode (alpha and 16-bit are refused by name), and the JPEG-in-TIFF fixtures.
const jpeg2000Expected = Object.fromEntries(Object.entries(JSON.parse(readFileSync('test/fixtures/jpeg2000/expected.json', 'utf8')))
  .filter(([file, e]) => e.loads && !['gray16.jp2', 'gray_alpha.jp2', 'rgba.jp2'].includes(file)));
const tiffJpegExpected = Object.fromEntries(JSON.parse(readFileSync('test/fixtures/decoders/manifest.json', 'utf8')).images
  .filter((e) => e.file.startsWith('tiff_jpeg_')).map((e) => [e.file, { width: e.size_loaded[0], height: e.size_loaded[1], rgb_sha256: e.rgb_sha256 }]));
const BAD_INPUT = `${ORIGIN}/${REF}/zero_shot.json`; // JSON served as an "image": must be IMAGE_DECODE

const MODES = [
  { name: 'plain, worker', prefix: '', worker: true },
  { name: 'plain, inline', prefix: '', worker: false },
  { name: 'isolated, worker', prefix: '/coi', worker: true },
  { name: 'isolated, inline', prefix: '/coi', worker: false },
];

const requests = [];
const server = await startServer({ port: PORT, onRequest: (r) => requests.push(r) });
/** Model-folder and onnxruntime requests since `mark` (the ones an offline reload must not make). */
const modelRequestsSince = (mark) => requests.slice(mark).filter((r) => r.path.includes(`/${FIXTURE_DIR}/`) || r.path.includes('/dist/ort/')).map((r) => r.path);

let passed = 0;
let failed = 0;
const timings = [];

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (hang)`)), ms); })]).finally(() => clearTimeout(timer));
}

/** Runs one check; `fn` returns a list of problems (empty = pass) and optional notes. */
async function check(name, fn, ms = CHECK_TIMEOUT_MS) {
  const t0 = Date.now();
  let problems;
  let notes = [];
  try {
    const out = await withTimeout(fn(), ms, name);
    problems = out.problems;
    notes = out.notes ?? [];
  } catch (err) {
    problems = [String(err?.stack ?? err)];
  }
  const took = Date.now() - t0;
  if (problems.length === 0) passed++;
  else failed++;
  console.log(`${problems.length === 0 ? '  ✓' : '  ✘'} ${name} (${formatMs(took)})`);
  for (const n of notes) console.log(`      ${n}`);
  for (const p of problems) console.log(`      ✘ ${p}`);
}

/**
 * Every reference case runs once per engine (the first mode); the other modes run a PNG, a JPEG and
 * an EXIF-rotated JPEG case, which is enough to show they compute the same thing (and keeps CI short).
 */
const ALL_CASES = zeroShot.cases;
const SOME_CASES = [ALL_CASES[0], ALL_CASES.find((c) => c.image.endsWith('.jpg')), ALL_CASES.find((c) => c.image.includes('exif'))].filter(Boolean);
const VISIT_ARG = (worker, cases) => ({ model: MODEL, worker, cases, badInput: BAD_INPUT });

/** Opens a session, runs `body(session)`, always closes it. A session that cannot start fails `name`. */
async function inSession(name, open, body) {
  let session;
  try {
    session = await withTimeout(open(), 90_000, `${name}: starting the browser`);
  } catch (err) {
    failed++;
    console.log(`  ✘ ${name}: browser did not start: ${String(err?.message ?? err)}`);
    return;
  }
  try {
    await body(session);
  } finally {
    await withTimeout(session.close(), 30_000, `${name}: closing`).catch(() => undefined);
  }
}

async function visitIn(session, mode, cases = SOME_CASES) {
  await session.open(`${ORIGIN}${mode.prefix}${HARNESS}`);
  return session.run(pageFns.visit.toString(), VISIT_ARG(mode.worker, cases));
}

/**
 * Conformance in every mode, in one browser session. The first visit is the first of this profile:
 * it must download the model and leave it in cache.list(). `after(session)` runs more checks there.
 */
async function conformance(engine, open, after) {
  await inSession(`${engine} conformance`, open, async (session) => {
    await check(`${engine}: token ids and pixels match Python`, async () => {
      await session.open(`${ORIGIN}${HARNESS}`);
      const out = await session.run(pageFns.processors.toString(), { texts: tokenization.cases.map((c) => c.text), images: embeddings.images, pixelFiles: embeddings.pixel_values_files });
      return checkProcessors(out, tokenization.cases, engine);
    });
    await check(`${engine}: JPEG 2000 (OpenJPEG in WebAssembly) and JPEG-in-TIFF decode to Pillow's RGB`, async () => {
      await session.open(`${ORIGIN}${HARNESS}`);
      const problems = [];
      for (const [dir, want] of [['jpeg2000/images/', jpeg2000Expected], ['decoders/images/', tiffJpegExpected]]) {
        const out = await session.run(pageFns.decodedLevels.toString(), { dir, files: Object.keys(want) });
        if (out?.__error) return { problems: [out.__error] };
        for (const r of out) {
          const w = want[r.file];
          if (r.error) problems.push(`${r.file}: ${r.error}`);
          else if (r.width !== w.width || r.height !== w.height || createHash('sha256').update(Uint8Array.from(r.rgb)).digest('hex') !== w.rgb_sha256) problems.push(`${r.file}: ${r.width}x${r.height}, RGB differs from Pillow's`);
        }
      }
      return { problems, notes: [`${Object.keys(jpeg2000Expected).length} JPEG 2000 and ${Object.keys(tiffJpegExpected).length} JPEG-in-TIFF files exact: ${problems.length === 0}`] };
    });
    for (const mode of MODES) {
      const cases = mode === MODES[0] ? ALL_CASES : SOME_CASES;
      await check(`${engine} ${mode.name}: loads, ${cases.length} cases match Python, ready first, threads honest, bad input typed`, async () => {
        const r = await visitIn(session, mode, cases);
        if (r.loadMs) timings.push({ engine, mode: mode.name, loadMs: r.loadMs, classifyMs: r.classifyMs, cases: cases.length });
        const out = checkVisit(r, cases, engine, { cacheWarningsAllowed: engine === 'webkit' ? 1 : 0 });
        if (mode === MODES[0] && r.ok) {
          const first = checkCacheSources(r, 'network', { allowWarnings: engine === 'webkit' });
          const listed = await session.run(pageFns.cachedModel.toString(), { baseUrl: MODEL });
          if (!listed?.dtypes?.includes('fp32')) first.problems.push(`after the first visit cache.list() does not show fp32 for ${MODEL}: ${JSON.stringify(listed)}`);
          out.problems.push(...first.problems);
        }
        return out;
      });
    }
    await after?.(session);
  });
}

async function firefox() {
  console.log('firefox-esr (puppeteer-core, WebDriver BiDi)');
  // A persistent profile: the relaunch is a later visit, which must make no model or runtime request.
  const profile = tempProfile();
  try {
    await conformance('firefox', () => firefoxSession({ profile: profile.dir }), (s) => libraryCheck('firefox', s, { fresh: true, label: 'indexes the reference images, search ranks like Python' }));
    await inSession('firefox relaunch', () => firefoxSession({ profile: profile.dir }), async (s) => {
      await check(`firefox relaunch (${MODES[0].name}): loads from IndexedDB with zero model/runtime requests`, async () => offlineReload(s, MODES[0]));
      await libraryCheck('firefox', s, { fresh: false, mode: MODES[1], label: 'still holds the photos after a relaunch, same ranking' });
      await libraryChunksCheck('firefox', s, 'Blob');
    });
  } finally {
    profile.remove();
  }
  await inSession('firefox private', () => firefoxSession({ isPrivate: true }), async (s) => {
    for (const mode of MODES) {
      await check(`firefox private window (${mode.name}): loads and matches Python`, async () => checkVisit(await visitIn(s, mode), SOME_CASES, 'firefox', { cacheWarningsAllowed: 1 }));
    }
    await check('firefox private window: a reload in the same session (plain, inline) loads from its in-memory cache', async () => offlineReload(s, MODES[1]));
    // onnxruntime's threaded start in a worker sometimes never finishes in Firefox (README, "Firefox:
    // onnxruntime's threaded start can hang"): every load must still finish, on one thread if need be.
    await check(`firefox isolated worker, numThreads 4, ${THREADED_LOADS} loads: none hangs, each matches Python (a stalled start is retried on one thread)`, async () => {
      const problems = [];
      const notes = [];
      for (let i = 0; i < THREADED_LOADS; i++) {
        await s.open(`${ORIGIN}${MODES[2].prefix}${HARNESS}`);
        const r = await s.run(pageFns.visit.toString(), { ...VISIT_ARG(true, SOME_CASES.slice(0, 1)), numThreads: 4 });
        const out = checkVisit(r, SOME_CASES.slice(0, 1), 'firefox', { cacheWarningsAllowed: 1, expectThreads: 4 });
        problems.push(...out.problems.map((p) => `load ${i + 1}: ${p}`));
        notes.push(`load ${i + 1}: ${r.ok ? `${formatMs(r.loadMs)}, threads ${r.info.threads}${r.info.fallbackReason ? ` (${r.info.fallbackReason})` : ''}` : `${r.code} ${r.message}`}`);
      }
      return { problems, notes };
    });
  });
}

const THREADED_LOADS = 4;

/** A later visit: every model and runtime file from IndexedDB, none requested from the server. */
async function offlineReload(session, mode) {
  const mark = requests.length;
  const r = await visitIn(session, mode);
  const out = checkCacheSources(r, 'cache', { allowWarnings: false });
  const made = modelRequestsSince(mark);
  if (made.length) out.problems.push(`requests that reached the server: ${made.join(', ')}`);
  return out;
}

async function webkit() {
  console.log('WebKitGTK MiniBrowser (WebKitWebDriver, selenium-webdriver; ephemeral session = private browsing)');
  // The automation session's storage is ephemeral like Safari Private Browsing (IndexedDB refuses
  // Blobs): the cache must still work within the session, through the ArrayBuffer fallback.
  await conformance('webkit', () => webkitSession(), async (s) => {
    await libraryCheck('webkit', s, { fresh: true, label: 'indexes the reference images, search ranks like Python' });
    await libraryCheck('webkit', s, { fresh: false, mode: MODES[1], label: 'reload in the ephemeral session: same photos, same ranking' });
    await libraryChunksCheck('webkit', s, 'ArrayBuffer');
  });
}

async function chromium() {
  console.log('Chromium incognito context (Playwright)');
  await inSession('chromium incognito', () => chromiumIncognitoSession(), async (s) => {
    // Playwright's default contexts (the whole Chromium suite) are incognito-like already: two modes here.
    for (const mode of [MODES[1], MODES[2]]) {
      await check(`chromium incognito (${mode.name}): loads and matches Python`, async () => {
        const r = await visitIn(s, mode);
        if (r.loadMs) timings.push({ engine: 'chromium incognito', mode: mode.name, loadMs: r.loadMs, classifyMs: r.classifyMs, cases: SOME_CASES.length });
        return checkVisit(r, SOME_CASES, 'chromium');
      });
    }
    await check('chromium incognito: a reload in the same context (plain, inline) loads from its in-memory cache', async () => offlineReload(s, MODES[1]));
    await libraryChunksCheck('chromium incognito', s, 'Blob');
  });
}

/** Python's order of the reference images for text j (descending logits), as file names. */
function pythonRanking(textIndex) {
  const order = embeddings.images.map((img, i) => ({ name: img.split('/').pop(), logit: embeddings.logits_per_image[i][textIndex] }));
  order.sort((a, b) => b.logit - a.logit);
  return order.map((o) => o.name);
}

/**
 * Photo library (issue 10): `fresh` indexes the reference images and searches; otherwise the library
 * must still hold them (a reload or relaunch) and rank them the same way, without re-adding.
 * The model is in the cache by then, so each of these visits is also an offline reload.
 */
async function libraryCheck(engine, session, { fresh, mode = MODES[0], label }) {
  await check(`${engine} photo library (${mode.name}): ${label}; model from IndexedDB, zero model/runtime requests`, async () => {
    const mark = requests.length;
    await session.open(`${ORIGIN}${mode.prefix}${HARNESS}`);
    const r = await session.run(pageFns.library.toString(), { model: MODEL, worker: mode.worker, name: 'engines', images: embeddings.images, fresh, query: embeddings.texts[0] });
    if (r?.__error) return { problems: [r.__error] };
    if (!r.ok) return { problems: [`${r.code} ${r.message}`] };
    const problems = checkCacheSources(r, 'cache', { allowWarnings: false }).problems;
    const made = modelRequestsSince(mark);
    if (made.length) problems.push(`requests that reached the server: ${made.join(', ')}`);
    const n = embeddings.images.length;
    if (fresh && (r.report.added !== n || r.report.failed.length)) problems.push(`add: ${JSON.stringify(r.report)}`);
    if (r.count !== n) problems.push(`count ${r.count}, expected ${n}`);
    const want = pythonRanking(0);
    if (JSON.stringify(r.ranking) !== JSON.stringify(want)) problems.push(`ranking for ${JSON.stringify(embeddings.texts[0])}: ${r.ranking.join(', ')} ≠ Python ${want.join(', ')}`);
    return { problems, notes: [`${r.count} photos; ranking = Python's: ${problems.length === 0}`] };
  });
}

/**
 * A library over several embedding chunks reads back exactly; `sealed` is how full chunks must be
 * stored there (Blob where IndexedDB keeps Blobs, ArrayBuffer in WebKit's ephemeral sessions).
 */
async function libraryChunksCheck(engine, session, sealed) {
  const rows = 2600;
  const removed = [0, 5, 1023, 1024, 2047, 2048, rows - 1];
  await check(`${engine} photo library over 3 chunks (sealed as ${sealed}): import, remove, search, get read back exactly`, async () => {
    await session.open(`${ORIGIN}${MODES[0].prefix}${HARNESS}`);
    const r = await session.run(pageFns.libraryChunks.toString(), { model: MODEL, worker: MODES[0].worker, name: 'engines-chunks', rows, dim: embeddings.image_embeds_raw[0].length, removed });
    if (r?.__error) return { problems: [r.__error] };
    if (!r.ok) return { problems: [`${r.code} ${r.message}`] };
    const problems = [];
    if (r.imported !== rows || r.removedCount !== removed.length || r.count !== rows - removed.length) problems.push(`imported ${r.imported}, removed ${r.removedCount}, count ${r.count}`);
    if (JSON.stringify(r.order) !== JSON.stringify(r.want)) problems.push(`search order ${r.order.slice(0, 5).join(', ')}… ≠ reference ${r.want.slice(0, 5).join(', ')}…`);
    if (r.getExact.some((x) => !x)) problems.push(`get() not exact: ${JSON.stringify(r.getExact)}`);
    const kinds = ['0', '1'].map((c) => `${c}:${sealed}`).concat('2:ArrayBuffer');
    if (JSON.stringify(r.chunkKinds) !== JSON.stringify(kinds)) problems.push(`chunks stored as ${r.chunkKinds.join(', ')}, expected ${kinds.join(', ')}`);
    return { problems, notes: [`chunks: ${r.chunkKinds.join(', ')}`] };
  });
}

const RUNNERS = { firefox, webkit, chromium };
const started = Date.now();
try {
  for (const engine of ENGINES) {
    const t0 = Date.now();
    if (!RUNNERS[engine]) { failed++; console.log(`  ✘ unknown engine ${engine}`); continue; }
    await RUNNERS[engine]();
    console.log(`  (${engine}: ${formatMs(Date.now() - t0)})`);
  }
} finally {
  stopDisplay();
  await new Promise((r) => server.close(r));
}
if (timings.length) {
  console.log('load / classify (all reference cases) times:');
  for (const t of timings) console.log(`  ${t.engine.padEnd(18)} ${t.mode.padEnd(17)} load ${formatMs(t.loadMs)}  classify ${t.cases} cases ${formatMs(t.classifyMs ?? 0)}`);
}
console.log(`total ${formatMs(Date.now() - started)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
