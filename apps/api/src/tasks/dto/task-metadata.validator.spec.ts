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

  it.each(['ses_6a1bC9xYz', '0b6f9c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e', 'aider-task_k3j5m2n4p6q7r8s9'])('accepts the agent session id %p as resume_session_id', (id) => {
    expect(taskMetadataProblem({ resume_session_id: id })).toBeNull();
  });

  it.each(['', 'ses 1', '../etc/passwd', 'a.b', 'x'.repeat(201), 42])('refuses resume_session_id %p, naming the field', (id) => {
    expect(taskMetadataProblem({ resume_session_id: id })).toBe('metadata.resume_session_id must be an agent session id: 1-200 letters, digits, "_" or "-"');
  });

  it('keeps timeout_s at 1 s or more (0 is not "no limit" there)', () => {
    expect(taskMetadataProblem({ timeout_s: 0 })).toBe(`metadata.timeout_s must be an integer between 1 and ${MAX_TIMEOUT_S}`);
    expect(taskMetadataProblem({ timeout_s: 60, idle_timeout_s: 30 })).toBeNull();
  });
});
