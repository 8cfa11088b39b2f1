// Loads the built ESM entry exactly as a user would and exposes helpers for Playwright.
import * as SiglipWeb from '../../../dist/siglip-web.mjs';

const FIXTURES = new URL('../../fixtures/', import.meta.url).href;

async function readFloat32(path) {
  const res = await fetch(new URL(path, FIXTURES));
  if (!res.ok) throw new Error(`fixture ${path}: HTTP ${res.status}`);
  return new Float32Array(await res.arrayBuffer());
}

async function readJson(path) {
  const res = await fetch(new URL(path, FIXTURES));
  return res.json();
}

function diff(a, b) {
  if (a.length !== b.length) return { max: Infinity, mean: Infinity, length: [a.length, b.length] };
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    sum += d;
  }
  return { max, mean: sum / a.length };
}

window.SiglipWeb = SiglipWeb;
window.harness = { FIXTURES, readFloat32, readJson, diff, fixture: (p) => new URL(p, FIXTURES).href };
window.harnessReady = true;
