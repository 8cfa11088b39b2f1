import { createSiglip } from 'siglip-web';

const out = document.querySelector('output');
try {
  const testCase = await (await fetch('case.json')).json();
  const siglip = await createSiglip({ model: 'models/siglip-shapes' });
  const [top] = await siglip.classify(testCase.image, testCase.labels);
  out.id = 'top';
  out.textContent = top.label;
} catch (err) {
  out.id = 'error';
  out.textContent = `${err.code}: ${err.message}`;
}
