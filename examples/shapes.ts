/** Shared by the React and Vue examples: the bundled test model and the 36 classes it knows. */
export const MODEL = new URL('../../test/fixtures/siglip-shapes/', location.href).href;
export const SAMPLES = new URL('../../test/fixtures/reference/images/', location.href).href;

export const SAMPLE_IMAGES = ['shape_red_circle_224.png', 'shape_green_triangle_exif6.jpg', 'shape_purple_cross_palette.png', 'shape_yellow_stripes_tall.png'];

export const LABELS: string[] = ['red', 'green', 'blue', 'yellow', 'purple', 'orange'].flatMap((colour) => {
  const article = /^[aeiou]/.test(colour) ? 'an' : 'a';
  return [...['circle', 'square', 'triangle', 'star', 'cross'].map((shape) => `${article} ${colour} ${shape}`), `${colour} stripes`];
});
