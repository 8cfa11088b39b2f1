import { el, formatBytes } from './dom.js';

/** Backend facts worth seeing when something is slow: which device, how many threads, and why. */
export function renderStatus(list, { info, state, error, library }) {
  const rows = [];
  const add = (term, value) => rows.push(el('dt', { text: term }), el('dd', {}, [value instanceof Node ? value : document.createTextNode(String(value))]));
  add('State', el('span', { class: 'pill', text: state }));
  if (error) add('Error', error);
  if (info) {
    add('Backend', info.device === 'webgpu' ? 'WebGPU' : 'WASM (CPU)');
    if (info.device === 'wasm') add('Threads', info.threads);
    if (info.fallbackReason) add('Fallback', info.fallbackReason);
    add('Model', info.model);
    add('Precision', info.dtype);
    add('Input', `${info.imageSize.width}×${info.imageSize.height}`);
    add('Runs in', info.worker ? 'Web Worker' : 'page thread');
  }
  if (library) {
    add('Library', library.name);
    if (library.usage) add('Stored', `${library.usage.photos.toLocaleString('en')} photos · ${formatBytes(library.usage.bytes)}`);
  }
  add('Isolated', globalThis.crossOriginIsolated ? 'yes (threads available)' : 'no (single thread)');
  list.replaceChildren(...rows);
}

/** Another part of the SDK provides SiglipWeb.cache; the panel only appears when it exists. */
export function setupCache(sdk, { row, usage, clear }) {
  const cache = sdk.cache;
  if (!cache || typeof cache.usage !== 'function') return { refresh: async () => undefined };
  row.hidden = false;
  const refresh = async () => {
    try {
      usage.textContent = `Cached models: ${describeUsage(await cache.usage())}`;
    } catch (err) {
      usage.textContent = `Cache unavailable (${err instanceof Error ? err.message : String(err)})`;
    }
  };
  clear.hidden = typeof cache.clear !== 'function';
  clear.addEventListener('click', async () => {
    clear.disabled = true;
    try {
      await cache.clear();
    } finally {
      clear.disabled = false;
      await refresh();
    }
  });
  void refresh();
  return { refresh };
}

function describeUsage(u) {
  if (typeof u === 'number') return formatBytes(u);
  if (u && typeof u === 'object') {
    const bytes = u.bytes ?? u.totalBytes ?? u.usage ?? u.size;
    const entries = u.models ?? u.entries ?? u.files;
    const count = Array.isArray(entries) ? entries.length : typeof entries === 'number' ? entries : null;
    if (typeof bytes === 'number') return count === null ? formatBytes(bytes) : `${formatBytes(bytes)} in ${count} ${count === 1 ? 'entry' : 'entries'}`;
  }
  return 'unknown';
}
