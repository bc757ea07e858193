import { normalizeCodebasePath } from './codebase-path';

describe('codebase paths', () => {
  it('normalizes absolute paths', () => {
    expect(normalizeCodebasePath('/home/u/project/')).toBe('/home/u/project');
    expect(normalizeCodebasePath('/home/u/./a/../project')).toBe('/home/u/project');
    expect(normalizeCodebasePath('/')).toBe('/');
  });

  it('rejects relative, empty and NUL paths with a message', () => {
    expect(() => normalizeCodebasePath('project')).toThrow('path must be absolute, got "project"');
    expect(() => normalizeCodebasePath('')).toThrow(/non-empty/);
    expect(() => normalizeCodebasePath('/a\0b')).toThrow(/NUL/);
  });
});
