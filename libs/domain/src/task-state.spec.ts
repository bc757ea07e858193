import { assertTransition, canRequeue, canTransition, InvalidTransitionError, isTerminal, sourcesOf } from './task-state';

describe('task state machine', () => {
  it('allows the documented lifecycle', () => {
    expect(canTransition('pending', 'running')).toBe(true);
    expect(canTransition('pending', 'cancelled')).toBe(true);
    for (const end of ['completed', 'failed', 'cancelled'] as const) expect(canTransition('running', end)).toBe(true);
  });

  it('never moves a task out of a terminal state', () => {
    for (const from of ['completed', 'failed', 'cancelled'] as const) {
      expect(isTerminal(from)).toBe(true);
      for (const to of ['pending', 'running', 'completed', 'failed', 'cancelled'] as const) {
        expect(canTransition(from, to)).toBe(false);
      }
    }
  });

  it('refuses skipping the run: pending cannot complete or fail', () => {
    expect(() => assertTransition('pending', 'completed')).toThrow(InvalidTransitionError);
    expect(() => assertTransition('pending', 'failed')).toThrow('a pending task cannot become failed');
    expect(() => assertTransition('running', 'pending')).toThrow(InvalidTransitionError);
  });

  it('requeues only failed and cancelled tasks', () => {
    expect(canRequeue('failed')).toBe(true);
    expect(canRequeue('cancelled')).toBe(true);
    expect(canRequeue('completed')).toBe(false);
    expect(canRequeue('running')).toBe(false);
  });

  it('lists the sources of a target state for guarded updates', () => {
    expect(sourcesOf('cancelled').sort()).toEqual(['pending', 'running']);
    expect(sourcesOf('completed')).toEqual(['running']);
  });
});
