import type { ClassifyOptions, Siglip, SiglipOptions } from '../../types.js';

/** Model options for the hooks. No `signal`: a shared model's lifetime follows its users, not one caller. */
export type UseSiglipOptions = Omit<SiglipOptions, 'signal'>;

export interface UseClassifyOptions extends Omit<UseSiglipOptions, 'template'>, Omit<ClassifyOptions, 'signal'> {
  /** Use this instance (e.g. from useSiglip) instead of loading one from the model options. */
  siglip?: Siglip | null;
}

/** Splits useClassify's options into "which model" and "how to classify". */
export function splitClassifyOptions(options: UseClassifyOptions): {
  siglip: Siglip | null;
  model: UseSiglipOptions | null;
  template: string | undefined;
  topk: number | undefined;
} {
  const { siglip, template, topk, ...model } = options;
  // The per-call template is left out of the model options on purpose: changing it must not
  // load a second copy of the model.
  return { siglip: siglip ?? null, model: siglip ? null : model, template, topk };
}
