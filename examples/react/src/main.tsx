import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useClassify, useSiglip } from 'siglip-web/react';
import { LABELS, MODEL, SAMPLES, SAMPLE_IMAGES } from '../../shapes.js';

function ModelBadge() {
  // Same options as <Classifier>: both components share one model (one worker).
  const { status, progress, siglip } = useSiglip({ model: MODEL });
  return (
    <p className="status" data-status={status}>
      Model: {status}
      {status === 'loading' ? ` (${Math.round(progress * 100)}%)` : ''}
      {siglip ? ` · ${siglip.info.device}, ${siglip.info.threads} thread(s)` : ''}
    </p>
  );
}

function Classifier() {
  const [image, setImage] = useState<string | File>(SAMPLES + SAMPLE_IMAGES[0]);
  // A fresh array literal each render is fine: labels are compared by content.
  const { results, loading, error } = useClassify(image, [...LABELS], { model: MODEL, topk: 3 });
  const preview = useMemo(() => (typeof image === 'string' ? image : URL.createObjectURL(image)), [image]);
  useEffect(() => () => { if (preview.startsWith('blob:')) URL.revokeObjectURL(preview); }, [preview]);
  return (
    <section>
      <div className="pickers">
        {SAMPLE_IMAGES.map((name) => (
          <button key={name} type="button" onClick={() => setImage(SAMPLES + name)}>{name}</button>
        ))}
        <label className="file">
          Your photo… <input type="file" accept="image/*" onChange={(e) => e.target.files?.[0] && setImage(e.target.files[0])} />
        </label>
      </div>
      <figure>
        <img src={preview} alt="" width={224} height={224} />
        <figcaption aria-busy={loading}>
          {error ? <p className="error">{error.message}</p> : null}
          <ol className="results" data-loading={loading}>
            {(results ?? []).map((r) => (
              <li key={r.label}><span className="label">{r.label}</span> <span className="score">{(r.score * 100).toFixed(1)}%</span></li>
            ))}
          </ol>
        </figcaption>
      </figure>
    </section>
  );
}

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <h1>siglip-web + React</h1>
    <ModelBadge />
    <Classifier />
  </StrictMode>,
);
