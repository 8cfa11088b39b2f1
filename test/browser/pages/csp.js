// Runs the drop-in SDK under the page's CSP and records the outcome and any policy violations.
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
window.cspResult = (async () => {
  const params = new URLSearchParams(location.search);
  const siglip = await SiglipWeb.createSiglip({
    model: new URL('../../fixtures/siglip-shapes/', location.href).href,
    device: 'wasm',
    worker: params.get('worker') !== 'false',
  });
  const img = document.getElementById('photo');
  await img.decode();
  const scores = await siglip.classify(img, ['a cat', 'a dog', 'a car']);
  const embedding = await siglip.embedText('a cat');
  const info = siglip.info;
  await siglip.dispose();
  return { scores, dim: embedding.length, worker: info.worker };
})().then(
  (value) => ({ ok: true, value }),
  (err) => ({ ok: false, code: err && err.code, message: String(err && err.message) }),
);
