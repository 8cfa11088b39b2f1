import * as SiglipWeb from '../../dist/siglip-web.mjs';
import { $, el, formatBytes, percent } from './dom.js';
import { Gallery } from './gallery.js';
import { Indexer } from './indexer.js';
import { EVERYDAY_LABELS, parseLabelLines, shapeLabels } from './labels.js';
import { MODELS, modelSource } from './models.js';
import { filesFromDrop, isImageFile, loadSamplePhotos } from './photo-sources.js';
import { Photos } from './photos.js';
import { LibrarySearch } from './search.js';
import { renderStatus, setupCache } from './status-panel.js';
import { Tags } from './tags.js';
import { setupTheme } from './theme.js';
import { ThumbStore } from './thumb-store.js';
import { Thumbnailer } from './thumbnailer.js';
import { describeJob, libraryNameFor, summaryText } from './wording.js';

const ui = {
  modelForm: $('#model-form'), modelSelect: $('#model-select'), modelNote: $('#model-note'), dtype: $('#dtype-select'), modelLoad: $('#model-load'),
  downloadBlock: $('#download-block'), downloadText: $('#download-text'), downloadPercent: $('#download-percent'), downloadProgress: $('#download-progress'),
  banner: $('#model-banner'), bannerText: $('#model-banner-text'), bannerProgress: $('#model-banner-progress'), bannerRetry: $('#model-banner-retry'),
  labelsForm: $('#labels-form'), labelsInput: $('#labels-input'), labelsReset: $('#labels-reset'), labelCount: $('#label-count'), labelsError: $('#labels-error'),
  threshold: $('#threshold'), thresholdValue: $('#threshold-value'),
  statusList: $('#status-list'), cacheRow: $('#cache-row'), cacheUsage: $('#cache-usage'), cacheClear: $('#cache-clear'),
  fileInput: $('#file-input'), folderInput: $('#folder-input'), samples: $('#samples'),
  search: $('#search'), searchNote: $('#search-note'), clearPhotos: $('#clear-photos'),
  batchBlock: $('#batch-block'), batchText: $('#batch-text'), batchStats: $('#batch-stats'), batchProgress: $('#batch-progress'), batchStop: $('#batch-stop'),
  empty: $('#empty-state'), gallery: $('#gallery'), live: $('#live'),
};

const app = { siglip: null, library: null, libraryName: null, info: null, state: 'idle', error: null, loadSeq: 0, labelSet: 'shapes', usage: null, lastReport: null };
const photos = new Photos(() => scheduleRender());
const thumbs = new ThumbStore();
const thumbnailer = new Thumbnailer();
const tags = new Tags(() => scheduleRender());
const search = new LibrarySearch(() => { gallery.resetPaging(); scheduleRender(); });
const gallery = new Gallery(ui.gallery, { photos, onRemove: (id) => void removePhoto(id), onMore: () => scheduleRender() });
const indexer = new Indexer({ photos, thumbnailer, thumbStore: thumbs, onProgress: () => scheduleRender(), onFinished: (r) => void onIndexed(r), probeIndexed: (ids) => void probeIndexed(ids) });
const cache = setupCache(SiglipWeb, { row: ui.cacheRow, usage: ui.cacheUsage, clear: ui.cacheClear });
/** Files picked while no library was open (or while another add runs): indexed in order, later. */
const waiting = [];

setupTheme($('#theme-toggle'));

// ---- model and library ---------------------------------------------------------------------------
for (const m of MODELS) ui.modelSelect.append(el('option', { value: m.id, text: m.name }));
const selectedModel = () => MODELS.find((m) => m.id === ui.modelSelect.value) ?? MODELS[0];
const showModelNote = () => { ui.modelNote.textContent = selectedModel().note; };
ui.modelSelect.addEventListener('change', showModelNote);
showModelNote();

ui.modelForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadModel(selectedModel(), ui.dtype.value);
});
ui.bannerRetry.addEventListener('click', () => void loadModel(selectedModel(), ui.dtype.value));

/** The gallery of a library from the thumbnails alone: shown before (and without) any model. */
async function showStoredLibrary(name) {
  if (app.libraryName === name) return;
  app.libraryName = name;
  photos.clear();
  tags.reset();
  try {
    await thumbs.all(name, (page) => { if (app.libraryName === name) photos.load(page); });
  } catch (err) {
    announce(`Stored thumbnails unavailable: ${messageOf(err)}`);
  }
}

/**
 * One core is left to the page: with every core busy in the model's threads, the main thread (layout,
 * paint, input) waits its turn and a 10 ms frame can take 50+ ms on a 2-core laptop. Off cross-origin
 * isolation WASM runs one thread anyway.
 */
function uiFriendlyThreads() {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(8, cores - 1));
}

async function loadModel(model, dtype) {
  const seq = ++app.loadSeq;
  const previous = app.siglip;
  indexer.stop();
  Object.assign(app, { siglip: null, library: null, info: null, state: 'loading', error: null, usage: null });
  void showStoredLibrary(libraryNameFor(model, dtype));
  await previous?.dispose();
  setDownload('loading', 'Starting…', 0);
  renderStatusPanel();
  if (app.labelSet !== model.labels) switchLabelSet(model.labels);
  try {
    const siglip = await SiglipWeb.createSiglip({
      model: modelSource(model),
      dtype,
      numThreads: uiFriendlyThreads(),
      onProgress: (p) => {
        if (seq !== app.loadSeq || p.status === 'ready') return;
        const fraction = p.totalBytes > 0 ? p.totalLoaded / p.totalBytes : 0;
        const from = p.source === 'cache' ? ' (cache)' : '';
        setDownload('loading', `${p.file || 'model'}${from} · ${formatBytes(p.totalLoaded)} of ${formatBytes(p.totalBytes)}`, fraction);
      },
    });
    if (seq !== app.loadSeq) return void siglip.dispose();
    setDownload('loading', 'Opening your photo library…', 1);
    const library = await siglip.openLibrary(app.libraryName);
    if (seq !== app.loadSeq) return void siglip.dispose();
    Object.assign(app, { siglip, library, info: siglip.info, state: 'ready' });
    try { localStorage.setItem('siglip-demo-library', app.libraryName); } catch { /* private mode */ }
    setDownload('ready', `Ready · ${siglip.info.device === 'webgpu' ? 'WebGPU' : `WASM, ${siglip.info.threads} thread${siglip.info.threads === 1 ? '' : 's'}`}`, 1);
    announce(`Model ready: ${model.name}`);
    await reconcile(library);
    tags.reset();
    if (search.query) void search.setQuery(library, search.query, photos.size);
    void refreshUsage();
    void cache.refresh();
    void drainWaiting();
  } catch (err) {
    if (seq !== app.loadSeq) return;
    const message = messageOf(err);
    Object.assign(app, { state: 'error', error: message });
    setDownload('error', `Could not load: ${message}`, 0);
    announce(`Model failed to load: ${message}`);
  }
  renderStatusPanel();
  scheduleRender();
}

/**
 * The library is the truth: thumbnails of photos it does not hold (a tab closed mid-add) are dropped;
 * photos it holds without a thumbnail (imported, or added by another tab) get a placeholder card.
 */
async function reconcile(library) {
  const records = await library.list();
  const stored = new Set(records.map((r) => r.id));
  const orphans = photos.ids().filter((id) => photos.get(id)?.state === 'indexed' && !stored.has(id));
  if (orphans.length) {
    photos.remove(orphans);
    await thumbs.delete(app.libraryName, orphans);
  }
  photos.load(records.filter((r) => !photos.get(r.id)).map((r) => ({ id: r.id, name: r.name, addedAt: r.addedAt, state: 'indexed' })));
}

async function refreshUsage() {
  if (!app.library) return;
  try {
    app.usage = await app.library.usage();
  } catch {
    app.usage = null;
  }
  renderStatusPanel();
}

function setDownload(state, text, fraction) {
  ui.downloadBlock.dataset.state = state;
  ui.downloadText.textContent = text;
  ui.downloadText.title = text;
  ui.downloadPercent.textContent = state === 'error' ? '' : percent(fraction);
  ui.downloadProgress.value = fraction;
  // The same news at the top of the photos, where a phone shows it without scrolling.
  ui.banner.dataset.state = state;
  ui.banner.hidden = state === 'ready';
  ui.bannerText.textContent = state === 'error' ? `The model did not load: ${text.replace(/^Could not load: /, '')}` : `Loading the model… ${percent(fraction)}`;
  ui.bannerProgress.hidden = state === 'error';
  ui.bannerProgress.value = fraction;
  ui.bannerRetry.hidden = state !== 'error';
}

function renderStatusPanel() {
  renderStatus(ui.statusList, { info: app.info, state: app.state, error: app.error, library: app.library ? { name: app.libraryName, usage: app.usage } : null });
}

// ---- labels ------------------------------------------------------------------------------------
function switchLabelSet(name) {
  app.labelSet = name;
  ui.labelsInput.value = (name === 'shapes' ? shapeLabels() : EVERYDAY_LABELS).join('\n');
  applyLabels();
}

function applyLabels() {
  const labels = parseLabelLines(ui.labelsInput.value);
  ui.labelCount.textContent = `(${labels.length})`;
  tags.setLabels(labels);
}

ui.labelsForm.addEventListener('submit', (event) => {
  event.preventDefault();
  applyLabels();
  announce('Labels applied; re-tagging from the stored embeddings');
});
ui.labelsInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) ui.labelsForm.requestSubmit();
});
ui.labelsReset.addEventListener('click', () => switchLabelSet(selectedModel().labels));

ui.threshold.addEventListener('input', () => {
  ui.thresholdValue.textContent = percent(Number(ui.threshold.value));
  scheduleRender();
});

// ---- photos ------------------------------------------------------------------------------------
let queuedSeq = 0;
function addFiles(files) {
  const images = [...files].filter(isImageFile);
  if (images.length === 0) return announce('No images found in that selection');
  // Placeholders until a library takes them (the model is loading, or another add is running).
  const placeholders = images.map((file) => ({ id: `queued:${++queuedSeq}`, name: file.webkitRelativePath || file.name, state: 'queued', addedAt: Date.now() }));
  for (const p of placeholders) photos.upsert(p);
  waiting.push({ files: images, placeholders: placeholders.map((p) => p.id) });
  announce(`Adding ${images.length} photo${images.length === 1 ? '' : 's'}`);
  void drainWaiting();
}

async function drainWaiting() {
  while (app.library && !indexer.running && waiting.length) {
    const { files, placeholders } = waiting.shift();
    photos.remove(placeholders);
    await indexer.add(app.library, app.libraryName, files);
  }
}

function onIndexed({ report, error, aborted, total }) {
  app.lastReport = report;
  if (report) {
    const parts = [`${report.added} new`, `${report.skipped} already in the library`];
    if (report.failed.length) parts.push(`${report.failed.length} could not be read`);
    announce(`${aborted ? 'Stopped' : 'Done'}: ${parts.join(', ')}`);
  } else if (error) announce(aborted ? `Stopped after part of ${total} photos` : `Adding failed: ${messageOf(error)}`);
  if (app.library) void search.refresh(app.library, photos.size);
  void refreshUsage();
  scheduleRender();
}

/** During an add: which of the handed photos are stored already (tag answers only for stored ids). */
async function probeIndexed(ids) {
  if (!app.library) return;
  const answered = await tags.request(app.library, ids);
  for (const id of answered) photos.upsert({ id, state: 'indexed' });
}

async function removePhoto(id) {
  const photo = photos.get(id);
  if (!photo) return;
  if (photo.state === 'indexed' && app.library) {
    try {
      await app.library.remove([id]);
    } catch (err) {
      return announce(`Could not remove: ${messageOf(err)}`);
    }
    await thumbs.delete(app.libraryName, [id]);
    if (search.hits) search.hits = search.hits.filter((h) => h.id !== id);
    void refreshUsage();
  }
  tags.forget([id]);
  photos.remove([id]);
}

ui.fileInput.addEventListener('change', () => { addFiles(ui.fileInput.files ?? []); ui.fileInput.value = ''; });
ui.folderInput.addEventListener('change', () => { addFiles(ui.folderInput.files ?? []); ui.folderInput.value = ''; });
ui.samples.addEventListener('click', async () => {
  ui.samples.disabled = true;
  try {
    addFiles(await loadSamplePhotos());
  } catch (err) {
    announce(`Could not load the samples: ${messageOf(err)}`);
  } finally {
    ui.samples.disabled = false;
  }
});
ui.batchStop.addEventListener('click', () => {
  waiting.splice(0).forEach((w) => photos.remove(w.placeholders));
  indexer.stop();
});
ui.clearPhotos.addEventListener('click', async () => {
  indexer.stop();
  waiting.splice(0);
  try {
    await app.library?.clear();
    await thumbs.clear(app.libraryName);
  } catch (err) {
    announce(`Could not clear: ${messageOf(err)}`);
  }
  photos.clear();
  tags.reset();
  search.hits = search.hits ? [] : null;
  void refreshUsage();
});

// The whole window accepts drops; the drop zone just shows where.
let dragDepth = 0;
addEventListener('dragenter', (e) => { if (e.dataTransfer?.types.includes('Files')) { dragDepth++; document.body.classList.add('dragging'); } });
addEventListener('dragleave', () => { dragDepth = Math.max(0, dragDepth - 1); if (dragDepth === 0) document.body.classList.remove('dragging'); });
addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); });
addEventListener('drop', async (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  e.preventDefault();
  dragDepth = 0;
  document.body.classList.remove('dragging');
  addFiles(await filesFromDrop(e.dataTransfer));
});

// ---- search ------------------------------------------------------------------------------------
let searchTimer = 0;
ui.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void search.setQuery(app.library, ui.search.value, photos.size), 120);
});

// ---- rendering ---------------------------------------------------------------------------------
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function tagNote() {
  if (app.state === 'error') return 'Not tagged: the model did not load';
  if (app.state !== 'ready') return 'Tags appear when the model is ready';
  if (tags.error) return 'No tags: see the label error';
  return 'Tagging…';
}

function render() {
  const counts = photos.counts();
  const job = indexer.job;
  ui.empty.hidden = counts.total > 0;
  ui.clearPhotos.disabled = counts.total === 0 && !job;
  ui.batchBlock.hidden = counts.total === 0 && !job;
  ui.batchBlock.dataset.state = job ? 'loading' : counts.failed ? 'partial' : 'ready';
  ui.batchStop.hidden = !job;
  const described = job ? describeJob(job) : null;
  ui.batchText.textContent = described ? described.text : summaryText(counts, app.state);
  ui.batchStats.textContent = described ? described.stats : '';
  ui.batchProgress.hidden = !job;
  ui.batchProgress.value = job && job.total ? job.done / job.total : 0;
  ui.labelsError.hidden = !tags.error;
  ui.labelsError.textContent = tags.error ? `These labels cannot be used: ${tags.error}` : '';
  ui.searchNote.textContent = search.error ? `Search failed: ${search.error}` : search.hits ? `${search.hits.length} best match${search.hits.length === 1 ? '' : 'es'} for “${search.query.trim()}”` : '';

  const items = search.hits
    ? search.hits.filter((h) => photos.get(h.id)).map((hit) => ({ id: hit.id, hit }))
    : photos.ids().map((id) => ({ id }));
  const rendered = gallery.render(items, {
    threshold: Number(ui.threshold.value),
    searching: search.active,
    tagsOf: (id) => tags.get(id),
    tagGeneration: tags.generation,
    tagNote: tagNote(),
    tagsComing: app.state !== 'error' && !tags.error,
    queuedNote: app.state === 'error' ? 'Waiting: the model did not load' : 'Waiting for the model…',
  });
  if (app.library) {
    const untagged = rendered.filter((id) => photos.get(id)?.state === 'indexed' && tags.get(id) === undefined);
    if (untagged.length) void tags.request(app.library, untagged);
  }
}

function announce(text) {
  ui.live.textContent = text;
}

function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

// ---- start -------------------------------------------------------------------------------------
/**
 * Lays out one throwaway card at load, so that a card's one-time costs (font faces and glyphs not used
 * elsewhere on the page, the title's ellipsis) are paid now and not as a long task when photos arrive.
 */
function warmCardLayout() {
  const card = el('li', { class: 'card', style: { contentVisibility: 'visible' }, dataset: { state: 'indexing' } }, [
    el('div', { class: 'thumb' }),
    el('div', { class: 'card-body' }, [
      el('h3', { class: 'card-title', text: 'a_photo_with_a_long_file_name_0123456789.jpg' }),
      el('p', { class: 'card-state', text: 'Indexing… Waiting for the model… ×' }),
      el('span', { class: 'match', text: 'Relevance 100%' }),
      el('ul', { class: 'tags' }, [el('li', { class: 'tag guess' }, [el('span', { class: 'tag-label', text: 'a red circle' }), el('span', { class: 'tag-score', text: '99%' })])]),
    ]),
  ]);
  const list = el('ul', { class: 'gallery', 'aria-hidden': 'true', style: { position: 'fixed', left: '-10000px', top: '0', width: '240px' } }, [card]);
  document.body.append(list);
  requestAnimationFrame(() => requestAnimationFrame(() => list.remove()));
}

warmCardLayout();
switchLabelSet('shapes');
renderStatusPanel();
render();
const remembered = (() => { try { return localStorage.getItem('siglip-demo-library'); } catch { return null; } })();
void showStoredLibrary(remembered ?? libraryNameFor(MODELS[0], ui.dtype.value));
void loadModel(MODELS[0], ui.dtype.value);
// For tests and the curious: the live objects.
Object.assign(globalThis, { demo: { app, photos, tags, search, indexer } });
