/** Checkpoints offered in the picker. The bundled one works offline; hub ones need internet once. */
export const MODELS = [
  {
    id: 'bundled',
    name: 'Shapes (bundled, offline)',
    url: new URL('../../test/fixtures/siglip-shapes/', import.meta.url).href,
    note: 'A 2 M-parameter test model trained on coloured shapes. Served from this site: works offline.',
    labels: 'shapes',
  },
  { id: 'Xenova/siglip-base-patch16-224', name: 'SigLIP base 224', note: 'Real photos. Downloads ~210 MB (q8) or ~810 MB (fp32) from huggingface.co once.', labels: 'everyday' },
  { id: 'Xenova/siglip-base-patch16-512', name: 'SigLIP base 512', note: 'Sharper details, slower. ~220 MB (q8) from huggingface.co.', labels: 'everyday' },
  { id: 'Xenova/siglip-large-patch16-256', name: 'SigLIP large 256', note: 'Most accurate, heavy. ~670 MB (q8) from huggingface.co; WebGPU recommended.', labels: 'everyday' },
  { id: 'Xenova/siglip-large-patch16-384', name: 'SigLIP large 384', note: 'Largest. ~670 MB (q8) from huggingface.co; WebGPU recommended.', labels: 'everyday' },
];

export function modelSource(model) {
  return model.url ?? model.id;
}
