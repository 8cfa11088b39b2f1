/**
 * IndexedDB model cache, end to end in Chromium with persistent profiles (a relaunch with the same
 * profile is a "second visit"). The spec runs its own server on a fixed port (IndexedDB is per
 * origin, port included) with fault-injection routes (scripts/serve.mjs /__fault/…) and counts every
 * request server-side, so "zero model requests" does not depend on what the browser reports.
 */
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve.mjs';

const PORT = Number(process.env.CACHE_TEST_PORT ?? 4262);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const FIXTURE_DIR = 'test/fixtures/siglip-shapes';
const FIXTURE = `${ORIGIN}/${FIXTURE_DIR}/`;
const SCORE_TOL = 1e-4;

const zeroShot = JSON.parse(readFileSync('test/fixtures/reference/zero_shot.json', 'utf8')) as {
  cases: { image: string; candidate_labels: string[]; hypothesis_template_used: string; scores_in_label_order: number[] }[];
};
const CASE = zeroShot.cases[0]!;

/** Same browser as playwright.config.ts (persistent contexts are launched by hand). */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

interface Request { path: string; range: boolean }
const requests: Request[] = [];
let server: Server;
const profiles: string[] = [];

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

test.beforeAll(async () => {
  server = (await startServer({ port: PORT, onRequest: (r: Request) => requests.push(r) })) as Server;
});
test.afterAll(async () => {
  await new Promise((r) => server.close(r));
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

function newProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'siglip-cache-'));
  profiles.push(dir);
  return dir;
}

async function launch(profile: string, prepare?: (context: BrowserContext) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS });
  await prepare?.(context);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[page] ${m.text()}`); });
  await page.goto(`${ORIGIN}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  return { context, page };
}

interface RunResult {
  ok: boolean;
  code?: string;
  message?: string;
  scores?: { label: string; score: number }[];
  events: { status: string; file: string; source?: string; warning?: { code: string; message: string } }[];
}

/** createSiglip + one classify in the page; never throws (errors come back as data). */
function run(page: Page, model: string, options: Record<string, unknown> = {}): Promise<RunResult> {
  return page.evaluate(async ({ model, options, image, labels, template }) => {
    const { SiglipWeb, harness } = window as unknown as Harness;
    const events: RunResult['events'] = [];
    try {
      const s = await SiglipWeb.createSiglip({
        model, device: 'wasm', ...options,
        onProgress: (p) => events.push({ status: p.status, file: p.file, ...(p.source ? { source: p.source } : {}), ...(p.warning ? { warning: { code: p.warning.code, message: p.warning.message } } : {}) }),
      });
      const scores = await s.classify(harness.fixture(image), labels, { template });
      await s.dispose();
      return { ok: true, scores, events };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { ok: false, code: err.code ?? 'none', message: err.message ?? String(e), events };
    }
  }, { model, options, image: `reference/${CASE.image}`, labels: CASE.candidate_labels, template: CASE.hypothesis_template_used });
}

/** `tol`: fp32 matches Python to 1e-4; q8 weights move scores by ~1e-3. */
function expectPythonScores(r: RunResult, tol = SCORE_TOL): void {
  expect(r.ok, `${r.code} ${r.message}`).toBe(true);
  const byLabel = new Map(r.scores!.map((s) => [s.label, s.score]));
  CASE.candidate_labels.forEach((label, i) => {
    expect(Math.abs((byLabel.get(label) ?? NaN) - CASE.scores_in_label_order[i]!), label).toBeLessThanOrEqual(tol);
  });
}

const warnings = (r: RunResult) => r.events.filter((e) => e.status === 'warning').map((e) => e.warning!);
const sourceOf = (r: RunResult, file: string) => r.events.filter((e) => e.file === file && e.source).map((e) => e.source).pop();

function listCache(page: Page) {
  return page.evaluate(() => (window as unknown as Harness).SiglipWeb.cache.list());
}

/** Model and runtime downloads (full or ranged) since `from`. */
function downloadsSince(from: number, prefix = ''): Request[] {
  return requests.slice(from).filter((r) => r.path.includes(`${prefix}/${FIXTURE_DIR}/`) || r.path.startsWith('/dist/ort/'));
}

const fileBytes = (file: string) => statSync(join(FIXTURE_DIR, file)).size;
const fileSha = (file: string) => createHash('sha256').update(readFileSync(join(FIXTURE_DIR, file))).digest('hex');
const ONNX_FILES = ['onnx/text_model.onnx', 'onnx/vision_model.onnx'];

test('second visit with the network cut off: loads from IndexedDB with zero model or runtime requests', async () => {
  const profile = newProfile();
  const first = await launch(profile);
  const firstRun = await run(first.page, FIXTURE);
  expectPythonScores(firstRun);
  for (const f of ONNX_FILES) expect(sourceOf(firstRun, f), f).toBe('network');
  const listed = await listCache(first.page);
  const model = listed.find((m) => m.kind === 'model');
  const runtime = listed.find((m) => m.kind === 'runtime');
  expect(model?.baseUrl).toBe(FIXTURE);
  expect(model?.dtypes).toContain('fp32');
  for (const f of [...ONNX_FILES, 'config.json', 'preprocessor_config.json', 'tokenizer.json']) {
    const entry = model?.files.find((e) => e.file === f);
    expect(entry?.size, f).toBe(fileBytes(f));
    expect(entry?.sha256, f).toBe(fileSha(f));
  }
  expect(runtime?.files.map((f) => f.file)).toEqual(['ort-wasm-simd-threaded.asyncify.wasm']);
  expect(runtime?.files[0]?.size).toBe(statSync('dist/ort/ort-wasm-simd-threaded.asyncify.wasm').size);
  await first.context.close();

  // Second visit: the page and the SDK scripts load, but the model folder and onnxruntime are unreachable.
  const blocked: string[] = [];
  const mark = requests.length;
  const second = await launch(profile, async (context) => {
    await context.route((url) => url.pathname.startsWith(`/${FIXTURE_DIR}/`) || url.pathname.startsWith('/dist/ort/'), (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
  });
  const secondRun = await run(second.page, FIXTURE);
  expectPythonScores(secondRun);
  expect(blocked, 'requests the browser tried').toEqual([]);
  expect(downloadsSince(mark), 'requests that reached the server').toEqual([]);
  for (const f of ONNX_FILES) expect(sourceOf(secondRun, f), f).toBe('cache');
  expect(warnings(secondRun)).toEqual([]);
  await second.context.close();
});

test('a download cut mid-file stores nothing; the next load downloads it again and works', async () => {
  const { context, page } = await launch(newProfile());
  const model = `${ORIGIN}/__fault/cut-once/${Date.now()}/${FIXTURE_DIR}/`;
  const broken = await run(page, model);
  expect(broken.ok).toBe(false);
  expect(broken.code).toBe('MODEL_LOAD');
  expect(broken.message).toMatch(/broke off|ended after/);
  const afterCut = (await listCache(page)).find((m) => m.baseUrl === model);
  expect(afterCut?.files.filter((f) => f.file.endsWith('.onnx')) ?? []).toEqual([]);
  expect(afterCut?.dtypes ?? []).toEqual([]);

  const mark = requests.length;
  const retry = await run(page, model);
  expectPythonScores(retry);
  for (const f of ONNX_FILES) {
    expect(sourceOf(retry, f), f).toBe('network');
    expect(downloadsSince(mark).filter((r) => r.path.endsWith(f) && !r.range).length, f).toBe(1);
  }
  const stored = (await listCache(page)).find((m) => m.baseUrl === model);
  for (const f of ONNX_FILES) expect(stored?.files.find((e) => e.file === f)?.sha256, f).toBe(fileSha(f));
  await context.close();
});

/** Rewrites a stored body in place, through IndexedDB directly (what disk corruption or a bug would do). */
function tamper(page: Page, url: string, how: 'truncate' | 'flip-header' | 'flip-middle'): Promise<number> {
  return page.evaluate(async ({ url, how }) => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const req = indexedDB.open('siglip-web-cache');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const store = () => db.transaction('entries', 'readwrite').objectStore('entries');
    const body = await new Promise<Blob>((ok, fail) => {
      const req = store().get(`body:${url}`);
      req.onsuccess = () => ok(req.result as Blob);
      req.onerror = () => fail(req.error);
    });
    const bytes = new Uint8Array(await body.arrayBuffer());
    let out = bytes;
    if (how === 'truncate') out = bytes.slice(0, bytes.length - 1000);
    else {
      const at = how === 'flip-header' ? 0 : bytes.length >> 1;
      for (let i = at; i < at + 64; i++) bytes[i] = bytes[i]! ^ 0xff;
    }
    await new Promise<void>((ok, fail) => {
      const req = store().put(new Blob([out]), `body:${url}`);
      req.onsuccess = () => ok();
      req.onerror = () => fail(req.error);
    });
    db.close();
    return out.length;
  }, { url, how });
}

test('tampered entries are detected (size always, sha256 with verifyCache, unparseable bytes when onnxruntime rejects them), deleted and re-downloaded', async () => {
  const { context, page } = await launch(newProfile());
  expectPythonScores(await run(page, FIXTURE));

  // A truncated body: caught by the size check on every load.
  await tamper(page, `${FIXTURE}onnx/vision_model.onnx`, 'truncate');
  const truncated = await run(page, FIXTURE);
  expectPythonScores(truncated);
  expect(warnings(truncated).map((w) => w.code)).toEqual(['CACHE_INTEGRITY']);
  expect(sourceOf(truncated, 'onnx/vision_model.onnx')).toBe('network');
  expect(sourceOf(truncated, 'onnx/text_model.onnx')).toBe('cache');

  // Same size, different weights: only the hash can tell; verifyCache: true checks it.
  await tamper(page, `${FIXTURE}onnx/text_model.onnx`, 'flip-middle');
  const flipped = await run(page, FIXTURE, { verifyCache: true });
  expectPythonScores(flipped);
  expect(warnings(flipped).map((w) => w.code)).toEqual(['CACHE_INTEGRITY']);
  expect(warnings(flipped)[0]!.message).toContain('text_model.onnx');
  expect(sourceOf(flipped, 'onnx/text_model.onnx')).toBe('network');

  // Same size, unparseable header, no verifyCache: onnxruntime rejects it; the entry is deleted and
  // the load fails clearly (transformers.js cannot create another session in that realm), the next one downloads.
  await tamper(page, `${FIXTURE}onnx/vision_model.onnx`, 'flip-header');
  const unparseable = await run(page, FIXTURE);
  expect(unparseable.ok).toBe(false);
  expect(unparseable.code).toBe('MODEL_LOAD');
  expect(unparseable.message).toMatch(/cached copy .* was corrupt and has been deleted/);
  expect(warnings(unparseable).map((w) => w.code)).toEqual(['CACHE_INTEGRITY']);
  const healed = await run(page, FIXTURE);
  expectPythonScores(healed);
  expect(sourceOf(healed, 'onnx/vision_model.onnx')).toBe('network');

  const model = (await listCache(page)).find((m) => m.baseUrl === FIXTURE);
  for (const f of ONNX_FILES) expect(model?.files.find((e) => e.file === f)?.sha256, f).toBe(fileSha(f));
  await context.close();
});

test('an HTML page served for a model file is not cached and fails with a clear MODEL_LOAD', async () => {
  const { context, page } = await launch(newProfile());
  const model = `${ORIGIN}/__fault/html/${FIXTURE_DIR}/`;
  const r = await run(page, model);
  expect(r.ok).toBe(false);
  expect(r.code).toBe('MODEL_LOAD');
  expect(r.message).toMatch(/HTML page/);
  const entry = (await listCache(page)).find((m) => m.baseUrl === model);
  expect(entry?.files.filter((f) => f.file.endsWith('.onnx')) ?? []).toEqual([]);
  await context.close();
});

test('a server sha256 (ETag) is checked before storing: matching bytes are stored, a mismatch is not', async () => {
  const { context, page } = await launch(newProfile());
  const good = `${ORIGIN}/__fault/sha256/${FIXTURE_DIR}/`;
  const goodRun = await run(page, good);
  expectPythonScores(goodRun);
  expect(warnings(goodRun)).toEqual([]);
  const stored = (await listCache(page)).find((m) => m.baseUrl === good);
  for (const f of ONNX_FILES) expect(stored?.files.find((e) => e.file === f)?.sha256, f).toBe(fileSha(f));

  const bad = `${ORIGIN}/__fault/bad-sha256/${FIXTURE_DIR}/`;
  const badRun = await run(page, bad);
  expectPythonScores(badRun);
  expect(warnings(badRun).map((w) => w.code)).toEqual(['CACHE_INTEGRITY']);
  expect((await listCache(page)).find((m) => m.baseUrl === bad)).toBeUndefined();
  await context.close();
});

test('quota exceeded: classify works uncached, one CACHE_QUOTA warning, nothing half-stored', async () => {
  const { context, page } = await launch(newProfile());
  const cdp = await context.newCDPSession(page);
  // Enough for the JSON files, far too little for any ONNX file or the wasm.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN, quotaSize: 256 * 1024 });
  const r = await run(page, FIXTURE);
  expectPythonScores(r);
  expect(warnings(r).map((w) => w.code)).toEqual(['CACHE_QUOTA']);
  const listed = await listCache(page);
  for (const m of listed) for (const f of m.files) expect(f.size, f.file).toBeLessThan(256 * 1024);
  expect(await page.evaluate((m) => (window as unknown as Harness).SiglipWeb.cache.has(m), FIXTURE)).toBe(false);
  await context.close();
});

test('IndexedDB unavailable (as in some private modes): classify works uncached with one CACHE_UNAVAILABLE warning', async () => {
  const { context, page } = await launch(newProfile(), async (ctx) => {
    // The worker is where the cache lives: make its indexedDB throw like a blocked-storage context.
    await ctx.route('**/dist/siglip-web.worker.js', async (route) => {
      const response = await route.fetch();
      const breaker = 'Object.defineProperty(globalThis, "indexedDB", { value: { open() { throw new DOMException("The user denied permission to access the database.", "SecurityError"); } } });\n';
      await route.fulfill({ response, body: breaker + (await response.text()) });
    });
  });
  const r = await run(page, FIXTURE);
  expectPythonScores(r);
  expect(warnings(r).map((w) => w.code)).toEqual(['CACHE_UNAVAILABLE']);
  for (const f of ONNX_FILES) expect(sourceOf(r, f), f).toBe('network');
  await context.close();
});

test("cache.list/usage/has/delete/clear do what they say; cache: 'none' stores nothing", async () => {
  const { context, page } = await launch(newProfile());
  const none = await run(page, FIXTURE, { cache: 'none' });
  expectPythonScores(none);
  expect(await listCache(page)).toEqual([]);

  expectPythonScores(await run(page, FIXTURE, { dtype: 'q8' }), 0.02);
  const r = await page.evaluate(async (model) => {
    const { cache } = (window as unknown as Harness).SiglipWeb;
    const list = await cache.list();
    const usage = await cache.usage();
    const has = { any: await cache.has(model), q8: await cache.has(model, { dtype: 'q8' }), fp32: await cache.has(model, { dtype: 'fp32' }) };
    const freed = await cache.delete(model);
    const afterDelete = { list: await cache.list(), has: await cache.has(model), usage: await cache.usage() };
    await cache.clear();
    const afterClear = { list: await cache.list(), usage: await cache.usage() };
    return { list, usage, has, freed, afterDelete, afterClear };
  }, FIXTURE);
  const model = r.list.find((m) => m.kind === 'model')!;
  const runtime = r.list.find((m) => m.kind === 'runtime')!;
  expect(model.model).toBe(FIXTURE);
  expect(model.dtypes).toEqual(['q8']);
  const quantized = model.files.filter((f) => f.file.endsWith('.onnx'));
  expect(quantized.map((f) => [f.file, f.dtype, f.size])).toEqual(
    ['onnx/text_model_quantized.onnx', 'onnx/vision_model_quantized.onnx'].map((f) => [f, 'q8', fileBytes(f)]),
  );
  expect(model.size).toBe(model.files.reduce((n, f) => n + f.size, 0));
  expect(r.usage.bytes).toBe(model.size + runtime.size);
  expect(r.usage.quota).toBeGreaterThan(0);
  expect(r.has).toEqual({ any: true, q8: true, fp32: false });
  expect(r.freed).toBe(model.size);
  expect(r.afterDelete.list.map((m) => m.kind)).toEqual(['runtime']);
  expect(r.afterDelete.has).toBe(false);
  expect(r.afterDelete.usage.bytes).toBe(runtime.size);
  expect(r.afterClear.list).toEqual([]);
  expect(r.afterClear.usage.bytes).toBe(0);
  await context.close();
});

interface Harness {
  SiglipWeb: typeof import('../../src/index.js');
  harness: { fixture(path: string): string };
}
