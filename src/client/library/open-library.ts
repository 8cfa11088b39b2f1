/**
 * `SiglipWeb.openLibrary(siglip, name?)` — the same as `siglip.openLibrary(name)`, for code that
 * holds the instance separately (e.g. the drop-in script).
 */
import { SiglipError } from '../../errors.js';
import type { PhotoLibrary } from '../../library-types.js';
import type { Siglip } from '../../types.js';

export function openLibrary(siglip: Siglip, name?: string): Promise<PhotoLibrary> {
  if (typeof siglip !== 'object' || siglip === null || typeof (siglip as Partial<Siglip>).openLibrary !== 'function') {
    return Promise.reject(new SiglipError('INVALID_INPUT', 'openLibrary(siglip, name?): pass the instance createSiglip() returned, e.g. openLibrary(await createSiglip(), "my-photos")'));
  }
  return siglip.openLibrary(name);
}
