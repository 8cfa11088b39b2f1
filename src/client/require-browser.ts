import { SiglipError } from '../errors.js';

/**
 * Importing the SDK on a server (Next.js server components, SSR) is harmless: nothing runs at import.
 * Loading a model is not, so it fails with a message that says where the call belongs.
 */
export function requireBrowser(): void {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  if (g.document === undefined && g.WorkerGlobalScope === undefined) {
    throw new SiglipError(
      'BACKEND_UNAVAILABLE',
      'createSiglip() runs in the browser only, but was called without a page (server-side rendering, a React Server Component, or Node). ' +
        "Call it from client code: a 'use client' component inside useEffect/an event handler, Vue's onMounted, or after checking typeof window !== 'undefined'.",
    );
  }
}
