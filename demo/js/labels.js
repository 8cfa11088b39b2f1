const COLOURS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange'];
const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross'];

/** The 36 classes the bundled test model was trained on: "a red circle", …, "yellow stripes". */
export function shapeLabels() {
  const labels = [];
  for (const colour of COLOURS) {
    const article = /^[aeiou]/.test(colour) ? 'an' : 'a';
    for (const shape of SHAPES) labels.push(`${article} ${colour} ${shape}`);
    labels.push(`${colour} stripes`);
  }
  return labels;
}

/** Labels a hub model understands out of the box, for real photos. */
export const EVERYDAY_LABELS = [
  'a cat', 'a dog', 'a person', 'a group of people', 'food', 'a drink', 'a car', 'a bicycle', 'a building',
  'a city street', 'a beach', 'mountains', 'a forest', 'flowers', 'a sunset', 'snow', 'a document', 'a screenshot',
];

/** One label per line; blank lines and repeats dropped. */
export function parseLabelLines(text) {
  return [...new Set(text.split('\n').map((l) => l.trim()).filter(Boolean))];
}
