/**
 * React bindings: `import { useSiglip, useClassify } from 'siglip-web/react'`.
 * Components asking for the same options share one model; it is disposed a tick after the last
 * user unmounts, so StrictMode's mount → unmount → mount reuses the instance.
 */
import { useEffect, useRef, useState } from 'react';
import { ClassifyRunner, IDLE_CLASSIFY_STATE, type ClassifyState } from '../shared/classify-runner.js';
import { defaultRegistry } from '../shared/default-registry.js';
import { splitClassifyOptions, type UseClassifyOptions, type UseSiglipOptions } from '../shared/hook-options.js';
import { IDLE_MODEL_STATE, type ModelState, type ModelStatus } from '../shared/model-state.js';
import { optionsKey } from '../shared/options-key.js';
import type { ImageInput, LoadProgress, Score, Siglip } from '../../types.js';
import type { PhotoLibrary } from '../../library-types.js';

export type { ModelStatus, UseClassifyOptions, UseSiglipOptions };

export interface UseSiglipResult {
  /** The ready instance, or null while idle/loading/failed. */
  siglip: Siglip | null;
  status: ModelStatus;
  /** Download progress 0..1. */
  progress: number;
  error: Error | null;
}

export interface UseClassifyResult {
  /** Scores of the newest finished request (kept while a newer one runs). */
  results: Score[] | null;
  /** True while the model loads or a request is in flight. */
  loading: boolean;
  error: Error | null;
}

/** Loads (or joins) the shared model for these options. Pass null to load nothing yet. */
export function useSiglip(options: UseSiglipOptions | null = {}): UseSiglipResult {
  const key = options === null ? null : optionsKey(options);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const [state, setState] = useState<{ key: string | null; model: ModelState }>(() => ({
    key,
    model: options === null ? IDLE_MODEL_STATE : defaultRegistry.peek(options),
  }));

  useEffect(() => {
    const current = optionsRef.current;
    if (key === null || current === null) {
      setState({ key, model: IDLE_MODEL_STATE });
      return;
    }
    // A stable wrapper so a new onProgress closure on each render reaches the registry.
    const onProgress = (p: LoadProgress): void => optionsRef.current?.onProgress?.(p);
    const lease = defaultRegistry.acquire(current, onProgress);
    setState({ key, model: lease.getState() });
    const unsubscribe = lease.subscribe((model) => setState({ key, model }));
    return () => {
      unsubscribe();
      lease.release();
    };
  }, [key]);

  // Between an options change and its effect, the old model's state must not leak into this render.
  const model = state.key === key ? state.model : options === null ? IDLE_MODEL_STATE : defaultRegistry.peek(options);
  return { siglip: model.siglip, status: model.status, progress: model.progress, error: model.error };
}

/**
 * Zero-shot scores for `image` against `labels`; re-runs when the image (by identity), the labels
 * (by content) or the options change, and ignores answers to superseded requests.
 */
export function useClassify(
  image: ImageInput | null | undefined,
  labels: readonly string[],
  options: UseClassifyOptions = {},
): UseClassifyResult {
  const { siglip: given, model: modelOptions, template, topk } = splitClassifyOptions(options);
  const model = useSiglip(modelOptions);
  const siglip = given ?? model.siglip;
  const [state, setState] = useState<ClassifyState>(IDLE_CLASSIFY_STATE);
  const runner = useRef<ClassifyRunner | null>(null);

  useEffect(() => {
    const r = new ClassifyRunner(setState);
    runner.current = r;
    return () => {
      r.dispose();
      if (runner.current === r) runner.current = null;
    };
  }, []);

  // Runs after every render on purpose: the runner compares inputs itself (labels by content), so
  // callers may pass a fresh array literal each render.
  useEffect(() => {
    runner.current?.update({ siglip, image, labels, template, topk });
  });

  const modelPending = given === null && model.status === 'loading';
  return {
    results: state.results,
    loading: state.loading || modelPending,
    error: state.error ?? (given === null ? model.error : null),
  };
}

export interface UseLibraryResult {
  /** The open library, or null while the model loads / the library opens / after an error. */
  library: PhotoLibrary | null;
  loading: boolean;
  error: Error | null;
}

/**
 * Opens the photo library `name` on the shared model for `options` (or on `options.siglip`).
 * Re-opens when the name or model changes; answers for a superseded name are dropped.
 */
export function useLibrary(name = 'default', options: UseSiglipOptions & { siglip?: Siglip | null } = {}): UseLibraryResult {
  const { siglip: given, ...modelOptions } = options;
  const model = useSiglip(given ? null : modelOptions);
  const siglip = given ?? model.siglip;
  const [state, setState] = useState<{ key: unknown; library: PhotoLibrary | null; error: Error | null }>({ key: null, library: null, error: null });

  useEffect(() => {
    if (!siglip) return;
    let live = true;
    const key = { siglip, name };
    siglip.openLibrary(name).then(
      (library) => { if (live) setState({ key, library, error: null }); },
      (error: unknown) => { if (live) setState({ key, library: null, error: error instanceof Error ? error : new Error(String(error)) }); },
    );
    return () => {
      live = false;
    };
  }, [siglip, name]);

  const current = state.key !== null && (state.key as { siglip: Siglip; name: string }).siglip === siglip && (state.key as { name: string }).name === name;
  return {
    library: current ? state.library : null,
    loading: !current && (siglip !== null || model.status === 'loading'),
    error: current ? state.error : given ? null : model.error,
  };
}
