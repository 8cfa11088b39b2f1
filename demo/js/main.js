import * as SiglipWeb from '../../dist/siglip-web.mjs';
import { $, el, formatBytes, percent } from './dom.js';
import { Gallery } from './gallery.js';
import { EVERYDAY_LABELS, parseLabelLines, shapeLabels } from './labels.js';
import { MODELS, modelSource } from './models.js';
import { filesFromDrop, isImageFile, loadSamplePhotos } from './photo-sources.js';
import { PhotoSearch } from './search.js';
import { renderStatus, setupCache } from './status-panel.js';
import { setupTheme } from './theme.js';
import { Tagger } from './tagger.js';

const ui = {
  modelForm: $('#model-form'), modelSelect: $('#model-select'), modelNote: $('#model-note'), dtype: $('#dtype-select'), modelLoad: $('#model-load'),
  downloadBlock: $('#download-block'), downloadText: $('#download-text'), downloadPercent: $('#download-percent'), downloadProgress: $('#download-progress'),
  labelsForm: $('#labels-form'), labelsInput: $('#labels-input'), labelsReset: $('#labels-reset'), labelCount: $('#label-count'),
  threshold: $('#threshold'), thresholdValue: $('#threshold-value'),
  statusList: $('#status-list'), cacheRow: $('#cache-row'), cacheUsage: $('#cache-usage'), cacheClear: $('#cache-clear'),
  fileInput: $('#file-input'), folderInput: $('#folder-input'), samples: $('#samples'), dropzone: $('#dropzone'),
  search: $('#search'), clearPhotos: $('#clear-photos'),
  batchBlock: $('#batch-block'), batchText: $('#batch-text'), batchPercent: $('#batch-percent'), batchProgress: $('#batch-progress'),
  empty: $('#empty-state'), gallery: $('#gallery'), live: $('#live'),
};

const app = { siglip: null, info: null, state: 'idle', error: null, loadSeq: 0, labelSet: 'shapes' };
const tagger = new Tagger(() => scheduleRender());
const search = new PhotoSearch(() => scheduleRender());
const gallery = new Gallery(ui.gallery, { onRemove: (id) => tagger.remove(id) });
const cache = setupCache(SiglipWeb, { row: ui.cacheRow, usage: ui.cacheUsage, clear: ui.cacheClear });

setupTheme($('#theme-toggle'));

// ---- model -------------------------------------------------------------------------------------
for (const m of MODELS) ui.modelSelect.append(el('option', { value: m.id, text: m.name }));
const selectedModel = () => MODELS.find((m) => m.id === ui.modelSelect.value) ?? MODELS[0];
const showModelNote = () => { ui.modelNote.textContent = selectedModel().note; };
ui.modelSelect.addEventListener('change', showModelNote);
showModelNote();

ui.modelForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadModel(selectedModel(), ui.dtype.value);
});

async function loadModel(model, dtype) {
  const seq = ++app.loadSeq;
  const previous = app.siglip;
  Object.assign(app, { siglip: null, info: null, state: 'loading', error: null });
  tagger.setModel(null);
  await previous?.dispose();
  setDownload('loading', 'Starting…', 0);
  renderStatusPanel();
  if (app.labelSet !== model.labels) switchLabelSet(model.labels);
  try {
    const siglip = await SiglipWeb.createSiglip({
      model: modelSource(model),
      dtype,
      onProgress: (p) => {
        if (seq !== app.loadSeq) return;
        if (p.status === 'ready') return;
        const fraction = p.totalBytes > 0 ? p.totalLoaded / p.totalBytes : 0;
        const from = p.source === 'cache' ? ' (cache)' : '';
        setDownload('loading', `${p.file || 'model'}${from} · ${formatBytes(p.totalLoaded)} of ${formatBytes(p.totalBytes)}`, fraction);
      },
    });
    if (seq !== app.loadSeq) return void siglip.dispose();
    Object.assign(app, { siglip, info: siglip.info, state: 'ready' });
    setDownload('ready', `Ready · ${siglip.info.device === 'webgpu' ? 'WebGPU' : `WASM, ${siglip.info.threads} thread${siglip.info.threads === 1 ? '' : 's'}`}`, 1);
    announce(`Model ready: ${model.name}`);
    tagger.setModel(siglip);
    if (search.query) void search.setQuery(siglip, search.query);
    void cache.refresh();
  } catch (err) {
    if (seq !== app.loadSeq) return;
    const message = err instanceof Error ? err.message : String(err);
    Object.assign(app, { state: 'error', error: message });
    setDownload('error', `Could not load: ${message}`, 0);
    announce(`Model failed to load: ${message}`);
  }
  renderStatusPanel();
}

function setDownload(state, text, fraction) {
  ui.downloadBlock.dataset.state = state;
  ui.downloadText.textContent = text;
  ui.downloadText.title = text;
  ui.downloadPercent.textContent = state === 'error' ? '' : percent(fraction);
  ui.downloadProgress.value = fraction;
}

function renderStatusPanel() {
  renderStatus(ui.statusList, { info: app.info, state: app.state, error: app.error });
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
  tagger.setLabels(labels);
}

ui.labelsForm.addEventListener('submit', (event) => {
  event.preventDefault();
  applyLabels();
  announce('Labels applied; re-tagging');
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
function addFiles(files) {
  const images = [...files].filter(isImageFile);
  if (images.length === 0) return announce('No images found in that selection');
  tagger.add(images);
  announce(`Added ${images.length} photo${images.length === 1 ? '' : 's'}`);
}

ui.fileInput.addEventListener('change', () => { addFiles(ui.fileInput.files ?? []); ui.fileInput.value = ''; });
ui.folderInput.addEventListener('change', () => { addFiles(ui.folderInput.files ?? []); ui.folderInput.value = ''; });
let samplesAdded = false;
ui.samples.addEventListener('click', async () => {
  if (samplesAdded) return announce('The sample photos are already here');
  ui.samples.disabled = true;
  try {
    addFiles(await loadSamplePhotos());
    samplesAdded = true;
  } catch (err) {
    announce(`Could not load the samples: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    ui.samples.disabled = false;
  }
});
ui.clearPhotos.addEventListener('click', () => { tagger.clear(); samplesAdded = false; });

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
  searchTimer = setTimeout(() => void search.setQuery(app.siglip, ui.search.value), 150);
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

let lastAnnouncedDone = -1;
function render() {
  const { done, total } = tagger.progress();
  ui.empty.hidden = total > 0;
  ui.clearPhotos.disabled = total === 0;
  ui.batchBlock.hidden = total === 0;
  ui.batchBlock.dataset.state = done === total ? 'ready' : 'loading';
  ui.batchText.textContent = total === 0 ? '' : done === total ? `All ${total} photo${total === 1 ? '' : 's'} tagged` : app.siglip ? `Tagging ${done + 1} of ${total}…` : `Waiting for the model · ${done} of ${total} tagged`;
  ui.batchPercent.textContent = total ? percent(done / total) : '';
  ui.batchProgress.value = total ? done / total : 0;
  if (done === total && total > 0 && lastAnnouncedDone !== total) announce(ui.batchText.textContent);
  lastAnnouncedDone = done === total ? total : -1;
  gallery.render(search.rank(tagger.photos), { threshold: Number(ui.threshold.value), searching: search.active });
}

function announce(text) {
  ui.live.textContent = text;
}

// ---- start -------------------------------------------------------------------------------------
switchLabelSet('shapes');
renderStatusPanel();
render();
void loadModel(MODELS[0], ui.dtype.value);
// For tests and the curious: the live objects.
Object.assign(globalThis, { demo: { app, tagger, search } });
