export { ModelRegistry, nextTick, type CreateSiglip, type ModelLease, type Scheduler } from './model-registry.js';
export { IDLE_MODEL_STATE, progressFraction, type ModelState, type ModelStatus } from './model-state.js';
export { ClassifyRunner, IDLE_CLASSIFY_STATE, type ClassifyRequest, type ClassifyState } from './classify-runner.js';
export { LatestOnly, type Attempt } from './latest-only.js';
export { identityKey, optionsKey } from './options-key.js';
