import { isAbsolute, normalize } from 'node:path';

/** Codebase paths are absolute and normalized, so (worker, path) identifies one directory. */
export function normalizeCodebasePath(raw: string): string {
  if (!raw || raw.includes('\0')) throw new Error('path must be a non-empty string without NUL bytes');
  if (!isAbsolute(raw)) throw new Error(`path must be absolute, got "${raw}"`);
  const normalized = normalize(raw);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}
