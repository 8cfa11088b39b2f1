/**
 * A terminated or crashed worker fires no event on the page, so a call in flight would hang forever.
 * The worker holds a Web Lock for its whole life; locks are released when their holder's agent
 * ends, so the page's own request for the same lock is granted exactly when the worker is gone.
 * Resolves once the lock is held (false where Web Locks are unavailable, e.g. insecure origins).
 */
export function holdLifeLock(name: string): Promise<boolean> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks || typeof name !== 'string') return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    locks
      .request(name, () => {
        resolve(true);
        return new Promise<never>(() => undefined);
      })
      .catch(() => resolve(false));
  });
}
