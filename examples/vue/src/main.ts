import { computed, createApp, defineComponent, h, ref, watch } from 'vue';
import { useClassify, useSiglip } from 'siglip-web/vue';
import { LABELS, MODEL, SAMPLES, SAMPLE_IMAGES } from '../../shapes.js';

// Render functions instead of .vue files keep this example free of a compiler plugin.
const App = defineComponent({
  setup() {
    const image = ref<string | File>(SAMPLES + SAMPLE_IMAGES[0]);
    const { status, progress, siglip } = useSiglip({ model: MODEL });
    const { results, loading, error } = useClassify(image, LABELS, { model: MODEL, topk: 3 });
    const preview = computed(() => (typeof image.value === 'string' ? image.value : URL.createObjectURL(image.value)));
    watch(preview, (_now, before) => { if (before.startsWith('blob:')) URL.revokeObjectURL(before); });

    return () => [
      h('h1', 'siglip-web + Vue'),
      h('p', { class: 'status', 'data-status': status.value }, [
        `Model: ${status.value}`,
        status.value === 'loading' ? ` (${Math.round(progress.value * 100)}%)` : '',
        siglip.value ? ` · ${siglip.value.info.device}, ${siglip.value.info.threads} thread(s)` : '',
      ]),
      h('section', [
        h('div', { class: 'pickers' }, [
          ...SAMPLE_IMAGES.map((name) => h('button', { type: 'button', onClick: () => (image.value = SAMPLES + name) }, name)),
          h('label', { class: 'file' }, [
            'Your photo… ',
            h('input', { type: 'file', accept: 'image/*', onChange: (e: Event) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file) image.value = file;
            } }),
          ]),
        ]),
        h('figure', [
          h('img', { src: preview.value, alt: '', width: 224, height: 224 }),
          h('figcaption', { 'aria-busy': loading.value }, [
            error.value ? h('p', { class: 'error' }, error.value.message) : null,
            h('ol', { class: 'results', 'data-loading': String(loading.value) },
              (results.value ?? []).map((r) => h('li', { key: r.label }, [h('span', { class: 'label' }, r.label), ' ', h('span', { class: 'score' }, `${(r.score * 100).toFixed(1)}%`)]))),
          ]),
        ]),
      ]),
    ];
  },
});

createApp(App).mount('#app');
