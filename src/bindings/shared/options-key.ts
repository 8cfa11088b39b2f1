/**
 * A stable text key for "the same model": two option objects written in a different key order, or
 * re-created on every render, must share one instance. Callbacks and signals say nothing about which
 * model is loaded, so they are left out.
 */
export function optionsKey(options: object): string {
  return JSON.stringify(canonical(options)) ?? '{}';
}

function canonical(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof URL) return value.href;
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return undefined;
  if (Array.isArray(value)) return value.map((v) => canonical(v) ?? null);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = canonical((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/**
 * Identity key for an input: strings by value, objects (Blob, canvas, <img>) by reference. An image
 * object is never hashed by content: that would cost a read of every pixel on each render.
 */
export function identityKey(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object' || typeof value === 'function') {
    let id = objectIds.get(value);
    if (id === undefined) {
      id = nextObjectId++;
      objectIds.set(value, id);
    }
    return `#${id}`;
  }
  return `${typeof value}:${String(value)}`;
}
