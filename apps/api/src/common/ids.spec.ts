import { newId } from './ids';

describe('newId', () => {
  it('is the prefix plus 16 lower-case base32 characters', () => {
    expect(newId('cb')).toMatch(/^cb_[a-z2-7]{16}$/);
    expect(newId('task')).toMatch(/^task_[a-z2-7]{16}$/);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('wk')));
    expect(ids.size).toBe(1000);
  });
});
