import { titleFromPrompt, toolProblem } from './create-task.usecase';

describe('toolProblem', () => {
  const worker = { id: 'w1', tools: ['opencode', 'claude'] };

  it('accepts an installed tool, no tool, and workers that reported nothing', () => {
    expect(toolProblem(worker, 'claude', 'build')).toBeNull();
    expect(toolProblem(worker, undefined, 'build')).toBeNull();
    expect(toolProblem({ id: 'w2', tools: [] }, 'aider', 'build')).toBeNull();
  });

  it('refuses a tool the worker does not have', () => {
    expect(toolProblem(worker, 'aider', 'build')).toBe('tool "aider" is not installed on worker w1 (installed: opencode, claude)');
  });

  it('lets builtin agent types through whatever the tool', () => {
    expect(toolProblem(worker, 'aider', 'echo')).toBeNull();
  });
});

describe('titleFromPrompt', () => {
  it('uses the first line, shortened', () => {
    expect(titleFromPrompt('Refactor the database module\nand more')).toBe('Refactor the database module');
    expect(titleFromPrompt('x'.repeat(200))).toHaveLength(80);
  });
});
