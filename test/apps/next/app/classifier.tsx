'use client';
import { useEffect, useState } from 'react';
import { useClassify } from 'siglip-web/react';

interface Case { image: string; labels: string[] }

export default function Classifier() {
  const [testCase, setCase] = useState<Case | null>(null);
  useEffect(() => { void fetch('case.json').then((r) => r.json()).then(setCase); }, []);
  const { results, error } = useClassify(testCase?.image ?? null, testCase?.labels ?? [], { model: 'models/siglip-shapes' });
  if (error) return <output id="error">{error.message}</output>;
  return <output id="top">{results?.[0]?.label ?? ''}</output>;
}
