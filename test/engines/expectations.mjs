/**
 * What each engine must produce, as functions from page results to a list of problems.
 * Tolerances (and why):
 *  - token ids: exact, everywhere (our tokenizer, no engine code involved).
 *  - pixels: PNG exact (our own decoder); JPEG within one 8-bit level (2/255 after normalisation):
 *    each engine decodes JPEG with its own libjpeg build and IDCT.
 *  - scores: ≤ 1e-4 on PNG (fp32 ONNX vs PyTorch), ≤ JPEG_SCORE_TOL on JPEG (a level of pixel
 *    difference moves this small model's scores by up to that), top label always Python's.
 */
/** Per check. A hang is forever; WebKit loads took up to 121 s with the 2 cores at load average 26. */
export const CHECK_TIMEOUT_MS = 240_000;
const PNG_PIXEL_TOL = 0;
const JPEG_PIXEL_TOL = 2 / 255 + 1e-6;
const PNG_SCORE_TOL = 1e-4;
const JPEG_SCORE_TOL = 5e-3;
const ONNX_FILES = ['onnx/text_model.onnx', 'onnx/vision_model.onnx'];
const MAX_DEFAULT_THREADS = 8;

export const formatMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const isPng = (image) => image.toLowerCase().endsWith('.png');

export function checkProcessors(out, tokenCases, engine) {
  const problems = [];
  if (out?.__error) return { problems: [out.__error] };
  let exact = 0;
  tokenCases.forEach((c, i) => {
    if (JSON.stringify(out.ids[i]) === JSON.stringify(c.input_ids)) exact++;
    else problems.push(`token ids for ${JSON.stringify(c.text)}: ${JSON.stringify(out.ids[i])} ≠ Python ${JSON.stringify(c.input_ids)}`);
  });
  let worstJpeg = 0;
  for (const p of out.pixels) {
    if (p.error) { problems.push(`${p.image}: ${p.error}`); continue; }
    const tol = isPng(p.image) ? PNG_PIXEL_TOL : JPEG_PIXEL_TOL;
    if (!isPng(p.image)) worstJpeg = Math.max(worstJpeg, p.max);
    if (!(p.max <= tol)) problems.push(`${engine} pixels of ${p.image}: max diff ${p.max.toExponential(2)} (${(p.max * 127.5).toFixed(2)} levels), allowed ${tol.toExponential(2)}`);
  }
  return { problems, notes: [`token ids exact ${exact}/${tokenCases.length}; PNG pixels exact; worst JPEG pixel diff ${(worstJpeg * 127.5).toFixed(2)} levels`] };
}

/** Max |score − Python| over a case's labels. */
function scoreDiff(scores, c) {
  const byLabel = new Map(scores.map((s) => [s.label, s.score]));
  let max = 0;
  c.candidate_labels.forEach((label, i) => {
    const d = Math.abs((byLabel.get(label) ?? Number.NaN) - c.scores_in_label_order[i]);
    max = Number.isNaN(d) ? Infinity : Math.max(max, d);
  });
  return max;
}

export function expectedThreads(facts) {
  return facts.isolated && facts.sharedArrayBuffer ? Math.min(MAX_DEFAULT_THREADS, facts.cores) : 1;
}

function warningsOf(r) {
  return (r.events ?? []).filter((e) => e.status === 'warning').map((e) => e.warning);
}

function warningProblems(r, allowed) {
  const problems = [];
  const warnings = warningsOf(r);
  const codes = warnings.map((w) => w.code);
  if (warnings.length > allowed) problems.push(`${warnings.length} warnings (allowed ${allowed}): ${warnings.map((w) => `${w.code}: ${w.message}`).join(' | ')}`);
  if (new Set(codes).size !== codes.length) problems.push(`a warning kind repeated: ${codes.join(', ')}`);
  for (const w of warnings) if (/\(null\)|\(undefined\)/.test(w.message)) problems.push(`warning without a reason: ${w.message}`);
  return problems;
}

export function checkVisit(r, cases, engine, { cacheWarningsAllowed = 0, expectThreads } = {}) {
  if (r?.__error) return { problems: [r.__error] };
  if (!r.ok) return { problems: [`${r.stage} failed: ${r.code} ${r.message}`], notes: warningsOf(r).map((w) => `warning ${w.code}: ${w.message}`) };
  const problems = [];
  const notes = [];
  // Progress: ready exactly once, last, and before createSiglip() resolved.
  const statuses = r.events.map((e) => e.status);
  if (statuses.filter((s) => s === 'ready').length !== 1 || statuses[statuses.length - 1] !== 'ready') problems.push(`progress does not end with one ready: …${statuses.slice(-4).join(', ')}`);
  if (r.late.length) problems.push(`progress after createSiglip() resolved: ${r.late.join(', ')}`);
  // Threads: what onnxruntime can really use here.
  // A threaded runtime start that hung was retried single-threaded (WASM_THREADS_STALLED): honest, and said.
  const stalled = /single-threaded/.test(r.info.fallbackReason ?? '');
  const want = stalled ? 1 : (expectThreads ?? expectedThreads(r.facts));
  if (r.info.threads !== want) problems.push(`info.threads ${r.info.threads}, expected ${want} (isolated ${r.facts.isolated}, SharedArrayBuffer ${r.facts.sharedArrayBuffer}, cores ${r.facts.cores})`);
  if (r.info.device !== 'wasm') problems.push(`device ${r.info.device}`);
  // Scores vs Python.
  let worstPng = 0;
  let worstJpeg = 0;
  cases.forEach((c, i) => {
    const scores = r.scores[i];
    if (!scores) { problems.push(`no scores for ${c.image}`); return; }
    const d = scoreDiff(scores, c);
    const png = isPng(c.image);
    if (png) worstPng = Math.max(worstPng, d); else worstJpeg = Math.max(worstJpeg, d);
    const tol = png ? PNG_SCORE_TOL : JPEG_SCORE_TOL;
    if (!(d <= tol)) problems.push(`${c.image} [${c.candidate_labels.slice(0, 3).join(', ')}…]: scores differ from Python by ${d.toExponential(2)} (allowed ${tol})`);
    if (scores[0]?.label !== c.output[0].label) problems.push(`${c.image}: top label ${scores[0]?.label}, Python ${c.output[0].label}`);
  });
  // One bad input: a typed error, and the instance keeps working.
  if (r.bad?.code !== 'IMAGE_DECODE' || r.bad?.isSiglipError !== true) problems.push(`bad input gave ${JSON.stringify(r.bad)}, expected SiglipError IMAGE_DECODE`);
  if (!r.afterBad || scoreDiff(r.afterBad, cases[0]) > PNG_SCORE_TOL) problems.push('the call after the bad input did not match Python');
  problems.push(...warningProblems(r, cacheWarningsAllowed));
  if (stalled) notes.push(`threaded start stalled and was retried: ${r.info.fallbackReason}`);
  notes.push(`threads ${r.info.threads} (isolated ${r.facts.isolated}, SAB ${r.facts.sharedArrayBuffer}, navigator.gpu ${r.facts.webgpu}), worker ${r.info.worker}; load ${formatMs(r.loadMs)}, ${cases.length} cases ${formatMs(r.classifyMs ?? 0)}; max score diff PNG ${worstPng.toExponential(1)}, JPEG ${worstJpeg.toExponential(1)}`);
  for (const w of warningsOf(r)) notes.push(`warning ${w.code}: ${w.message}`);
  return { problems, notes };
}

/** The model's .onnx files came from `expected` ('network' | 'cache'); warnings at most one per kind. */
export function checkCacheSources(r, expected, { allowWarnings }) {
  if (r?.__error) return { problems: [r.__error] };
  if (!r.ok) return { problems: [`${r.stage} failed: ${r.code} ${r.message}`] };
  const problems = [];
  for (const f of ONNX_FILES) {
    const source = r.events.filter((e) => e.file === f && e.source).map((e) => e.source).pop();
    if (source !== expected) problems.push(`${f} came from ${source ?? 'nowhere reported'}, expected ${expected}`);
  }
  problems.push(...warningProblems(r, allowWarnings ? 1 : 0));
  if (r.late.length) problems.push(`progress after createSiglip() resolved: ${r.late.join(', ')}`);
  const notes = [`load ${formatMs(r.loadMs)}`, ...warningsOf(r).map((w) => `warning ${w.code}: ${w.message}`)];
  return { problems, notes };
}
