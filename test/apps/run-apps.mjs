/**
 * Builds real apps against the packed tarball of this build, as a new user would: each template in
 * test/apps/<name>/ is copied outside the repo (so nothing resolves from the repo's node_modules),
 * installed from its committed lockfile (`npm ci`), given the tarball (`npm install --no-save`, so the
 * lockfile's integrity hash of siglip-web never matters), built, served and opened in Chromium.
 * The page must show Python's top label for the fixture image, with no 4xx, console error or request
 * off the machine; the build output must hold the ORT wasm exactly once and no .d.ts/.map from us.
 *
 *   npm run build && node test/apps/run-apps.mjs [name…]      (APPS_PORT, default 4310)
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium } from '@playwright/test';
import { checkPage } from './check-page.mjs';
import { serveStatic } from './static-server.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const HERE = join(ROOT, 'test/apps');
const PORT = Number(process.env.APPS_PORT ?? 4310);
const FIXTURE_MODEL = join(ROOT, 'test/fixtures/siglip-shapes');
const REFERENCE = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/reference/zero_shot.json'), 'utf8'));
const CASE = REFERENCE.cases[0];
const EXPECTED = CASE.expected_label;

/** Each run: how to build the app, where its output lands, how to serve it. */
const RUNS = [
  { app: 'vite-react', mode: 'vite dev', serve: (p) => ['npx', 'vite', '--port', p, '--strictPort', '--host', '127.0.0.1'] },
  { app: 'vite-react', mode: 'vite build + preview', build: ['npx', 'vite', 'build'], out: 'dist', serve: (p) => ['npx', 'vite', 'preview', '--port', p, '--strictPort', '--host', '127.0.0.1'] },
  { app: 'vite-vue', mode: 'vite dev', serve: (p) => ['npx', 'vite', '--port', p, '--strictPort', '--host', '127.0.0.1'] },
  { app: 'vite-vue', mode: 'vite build + preview', build: ['npx', 'vite', 'build'], out: 'dist', serve: (p) => ['npx', 'vite', 'preview', '--port', p, '--strictPort', '--host', '127.0.0.1'] },
  { app: 'webpack', mode: 'webpack production', build: ['npx', 'webpack', '--mode', 'production'], out: 'dist', staticRoots: ['dist', 'public'] },
  // esbuild leaves new URL('./x', import.meta.url) alone: the app's build copies the worker and ort/ next to its bundle.
  { app: 'esbuild', mode: 'esbuild + copied assets', build: ['npm', 'run', 'build'], out: 'dist', staticRoots: ['dist', 'public'] },
  { app: 'next', mode: 'next build (Turbopack) + start', build: ['npx', 'next', 'build'], out: '.next/static', serve: (p) => ['npx', 'next', 'start', '-p', p, '-H', '127.0.0.1'] },
  { app: 'next', mode: 'next build --webpack + start', build: ['npx', 'next', 'build', '--webpack'], out: '.next/static', serve: (p) => ['npx', 'next', 'start', '-p', p, '-H', '127.0.0.1'] },
];

function run(cmd, cwd, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${log}: ${cmd.join(' ')} exited ${code}\n${out.slice(-3000)}`))));
  });
}

/** A server we started, stopped with its whole process group (npx → vite/next). */
async function startServer(cmd, cwd, port) {
  const child = spawn(cmd[0], cmd.slice(1), { cwd, detached: true, stdio: 'ignore', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  for (let i = 0; i < 240; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/case.json`);
      if (r.ok) return () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid, 'SIGTERM');
  throw new Error(`${cmd.join(' ')} did not serve on ${port}`);
}

function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Problems with what the bundler emitted: the wasm exactly once, none of our .d.ts/.map files. */
function outputProblems(dir) {
  const files = filesUnder(dir);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const problems = [];
  if (wasm.length !== 1) problems.push(`expected the ORT wasm once in ${relative(ROOT, dir) || dir}, found ${wasm.length}: ${wasm.map((f) => `${f} (${statSync(f).size} B)`).join(', ')}`);
  const stray = files.filter((f) => /\.d\.ts$|\.d\.[0-9a-z_-]+\.ts$|siglip-web[^/]*\.map$/i.test(f));
  if (stray.length) problems.push(`stray files from siglip-web: ${stray.join(', ')}`);
  return problems;
}

function prepare(app, work) {
  const dir = join(work, app);
  cpSync(join(HERE, app), dir, { recursive: true, filter: (src) => !/node_modules|[/\\](dist|\.next)$/.test(src) });
  const pub = join(dir, 'public');
  mkdirSync(join(pub, 'models'), { recursive: true });
  cpSync(FIXTURE_MODEL, join(pub, 'models/siglip-shapes'), { recursive: true });
  cpSync(join(ROOT, 'test/fixtures/reference', CASE.image), join(pub, 'case-image.png'));
  writeFileSync(join(pub, 'case.json'), JSON.stringify({ image: 'case-image.png', labels: CASE.candidate_labels }));
  return dir;
}

async function main() {
  const only = process.argv.slice(2);
  const runs = RUNS.filter((r) => only.length === 0 || only.includes(r.app));
  const work = mkdtempSync(join(tmpdir(), 'siglip-apps-'));
  const started = Date.now();
  const tarball = join(work, execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop());
  const apps = [...new Set(runs.map((r) => r.app))];
  const dirs = Object.fromEntries(apps.map((a) => [a, prepare(a, work)]));
  // Installs are network/disk bound: run them side by side (one shared npm cache).
  await Promise.all(apps.map(async (a) => {
    await run(['npm', 'ci', '--no-audit', '--no-fund'], dirs[a], a);
    await run(['npm', 'install', '--no-save', '--no-audit', '--no-fund', tarball], dirs[a], a);
  }));
  const footprint = execFileSync('du', ['-sm', join(dirs[apps[0]], 'node_modules/siglip-web')], { encoding: 'utf8' }).split('\t')[0];
  console.log(`installed ${apps.join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s; node_modules/siglip-web = ${footprint} MB`);
  const failures = [];
  if (Number(footprint) > 40) failures.push(`node_modules/siglip-web is ${footprint} MB (> 40)`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  try {
    for (const r of runs) {
      const t0 = Date.now();
      const dir = dirs[r.app];
      const problems = [];
      let stop = () => undefined;
      try {
        if (r.build) {
          rmSync(join(dir, r.out), { recursive: true, force: true });
          await run(r.build, dir, r.app);
          problems.push(...outputProblems(join(dir, r.out)));
        }
        if (r.staticRoots) {
          const server = await serveStatic(PORT, r.staticRoots.map((d) => join(dir, d)));
          stop = () => server.close();
        } else {
          stop = await startServer(r.serve(String(PORT)), dir, PORT);
        }
        // Generous: on a loaded 2-core CI machine the first classify in a fresh browser can take minutes.
        const page = await checkPage(`http://127.0.0.1:${PORT}/`, { browser, timeoutMs: 300_000 });
        if (page.error) problems.push(`page shows error: ${page.error}`);
        else if (page.top !== EXPECTED) problems.push(`top label "${page.top}", Python says "${EXPECTED}"`);
        problems.push(...page.problems);
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      } finally {
        stop();
        await new Promise((res) => setTimeout(res, 500));
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(0);
      console.log(`${problems.length ? 'FAIL' : 'ok  '} ${r.app} — ${r.mode} (${secs} s)`);
      for (const p of problems) console.log(`     ${p}`);
      if (problems.length) failures.push(`${r.app} ${r.mode}`);
    }
  } finally {
    await browser.close();
  }
  console.log(`apps: ${runs.length - failures.length}/${runs.length} ok in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length) {
    console.log(`work dir kept for inspection: ${work}`);
    process.exit(1);
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
