import { useEffect, useState } from 'react';
import { useClassify } from 'siglip-web/react';

/** case.json (written by run-apps.mjs) names the fixture image and its candidate labels. */
export default function App() {
  const [testCase, setCase] = useState(null);
  useEffect(() => { void fetch('case.json').then((r) => r.json()).then(setCase); }, []);
  const { results, error } = useClassify(testCase?.image ?? null, testCase?.labels ?? [], { model: 'models/siglip-shapes' });
  if (error) return <output id="error">{error.code}: {error.message}</output>;
  return <output id="top">{results?.[0]?.label ?? ''}</output>;
}
