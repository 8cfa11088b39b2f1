export { autoTag, type AutoTagController, type AutoTagDetail, type AutoTagOptions } from './auto-tag.js';
export { parseLabels, selectTags } from './tag-selection.js';
