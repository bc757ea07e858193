import { MAX_TIMEOUT_S, taskMetadataProblem } from './task-metadata.validator';

describe('task metadata validation', () => {
  it('accepts idle_timeout_s from 0 (no idle watchdog) up to 7 days', () => {
    expect(taskMetadataProblem({ idle_timeout_s: 0 })).toBeNull();
    expect(taskMetadataProblem({ idle_timeout_s: 3 })).toBeNull();
    expect(taskMetadataProblem({ idle_timeout_s: MAX_TIMEOUT_S })).toBeNull();
    expect(taskMetadataProblem({ idle_timeout_s: null })).toBeNull();
  });

  it.each([-1, 1.5, '30', MAX_TIMEOUT_S + 1, true])('refuses idle_timeout_s %p, naming the field', (value) => {
    expect(taskMetadataProblem({ idle_timeout_s: value })).toBe(`metadata.idle_timeout_s must be an integer between 0 and ${MAX_TIMEOUT_S}`);
  });

  it('keeps timeout_s at 1 s or more (0 is not "no limit" there)', () => {
    expect(taskMetadataProblem({ timeout_s: 0 })).toBe(`metadata.timeout_s must be an integer between 1 and ${MAX_TIMEOUT_S}`);
    expect(taskMetadataProblem({ timeout_s: 60, idle_timeout_s: 30 })).toBeNull();
  });
});
