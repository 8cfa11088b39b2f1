/**
 * Vue 3 composables: `import { useSiglip, useClassify } from 'siglip-web/vue'`.
 * Call them in setup() (or any effect scope); the model is shared by options and disposed a tick
 * after the last scope using it stops.
 */
import { computed, onScopeDispose, shallowRef, toRaw, toValue, watch, watchEffect, type ComputedRef, type MaybeRefOrGetter } from 'vue';
import { ClassifyRunner, IDLE_CLASSIFY_STATE, type ClassifyState } from '../shared/classify-runner.js';
import { defaultRegistry } from '../shared/default-registry.js';
import { splitClassifyOptions, type UseClassifyOptions, type UseSiglipOptions } from '../shared/hook-options.js';
import { IDLE_MODEL_STATE, type ModelState, type ModelStatus } from '../shared/model-state.js';
import { optionsKey } from '../shared/options-key.js';
import type { ImageInput, LoadProgress, Score, Siglip } from '../../types.js';
import type { PhotoLibrary } from '../../library-types.js';

export type { ModelStatus, UseClassifyOptions, UseSiglipOptions };

export interface UseSiglipReturn {
  siglip: ComputedRef<Siglip | null>;
  status: ComputedRef<ModelStatus>;
  progress: ComputedRef<number>;
  error: ComputedRef<Error | null>;
}

export interface UseClassifyReturn {
  results: ComputedRef<Score[] | null>;
  loading: ComputedRef<boolean>;
  error: ComputedRef<Error | null>;
}

/** Loads (or joins) the shared model; `options` may be a ref or getter, null loads nothing yet. */
export function useSiglip(options: MaybeRefOrGetter<UseSiglipOptions | null> = {}): UseSiglipReturn {
  const state = shallowRef<ModelState>(IDLE_MODEL_STATE);
  const current = (): UseSiglipOptions | null => {
    const value = toValue(options);
    return value === null ? null : toRaw(value);
  };

  watch(
    () => {
      const value = current();
      return value === null ? null : optionsKey(value);
    },
    (key, _old, onCleanup) => {
      const value = current();
      if (key === null || value === null) {
        state.value = IDLE_MODEL_STATE;
        return;
      }
      const onProgress = (p: LoadProgress): void => current()?.onProgress?.(p);
      const lease = defaultRegistry.acquire(value, onProgress);
      state.value = lease.getState();
      const unsubscribe = lease.subscribe((s) => {
        state.value = s;
      });
      // Also runs when the owning scope stops (component unmount).
      onCleanup(() => {
        unsubscribe();
        lease.release();
      });
    },
    { immediate: true },
  );

  return {
    siglip: computed(() => state.value.siglip),
    status: computed(() => state.value.status),
    progress: computed(() => state.value.progress),
    error: computed(() => state.value.error),
  };
}

/**
 * Zero-shot scores for `image` against `labels`, re-run when any of them changes (labels by
 * content, images by identity); answers to superseded requests are dropped.
 */
export function useClassify(
  image: MaybeRefOrGetter<ImageInput | null | undefined>,
  labels: MaybeRefOrGetter<readonly string[]>,
  options: MaybeRefOrGetter<UseClassifyOptions> = {},
): UseClassifyReturn {
  const split = computed(() => splitClassifyOptions(toRaw(toValue(options))));
  const model = useSiglip(() => split.value.model);
  const state = shallowRef<ClassifyState>(IDLE_CLASSIFY_STATE);
  const runner = new ClassifyRunner((s) => {
    state.value = s;
  });

  watchEffect(() => {
    const { siglip: given, template, topk } = split.value;
    // toRaw: reactive proxies cannot be posted to the worker.
    const rawImage = toValue(image);
    runner.update({
      siglip: given ?? model.siglip.value,
      image: rawImage !== null && typeof rawImage === 'object' ? toRaw(rawImage) : rawImage,
      labels: [...toValue(labels)],
      template,
      topk,
    });
  });
  onScopeDispose(() => runner.dispose());

  return {
    results: computed(() => state.value.results),
    loading: computed(() => state.value.loading || (split.value.siglip === null && model.status.value === 'loading')),
    error: computed(() => state.value.error ?? (split.value.siglip === null ? model.error.value : null)),
  };
}

export interface UseLibraryReturn {
  library: ComputedRef<PhotoLibrary | null>;
  loading: ComputedRef<boolean>;
  error: ComputedRef<Error | null>;
}

/** Opens the photo library `name` (ref/getter allowed) on the shared model for `options`. */
export function useLibrary(name: MaybeRefOrGetter<string> = 'default', options: UseSiglipOptions = {}): UseLibraryReturn {
  const model = useSiglip(options);
  const library = shallowRef<PhotoLibrary | null>(null);
  const error = shallowRef<Error | null>(null);
  const opening = shallowRef(false);
  watch(
    () => [model.siglip.value, toValue(name)] as const,
    ([siglip, libraryName], _old, onCleanup) => {
      library.value = null;
      error.value = null;
      if (!siglip) return;
      let live = true;
      onCleanup(() => {
        live = false;
      });
      opening.value = true;
      siglip.openLibrary(libraryName).then(
        (lib) => { if (live) { library.value = lib; opening.value = false; } },
        (e: unknown) => { if (live) { error.value = e instanceof Error ? e : new Error(String(e)); opening.value = false; } },
      );
    },
    { immediate: true },
  );
  return {
    library: computed(() => library.value),
    loading: computed(() => opening.value || model.status.value === 'loading'),
    error: computed(() => error.value ?? model.error.value),
  };
}
