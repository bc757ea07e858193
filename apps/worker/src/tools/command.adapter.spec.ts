import type { TaskJob } from '#contracts';
import { CommandAdapter } from './command.adapter';
import { expandArgs } from './placeholders';

const task: TaskJob = {
  task_id: 'task-9',
  attempt: 1,
  codebase_id: 'cb1',
  worker_id: 'w1',
  title: 'Fix the build',
  prompt: 'make it {green}; $(rm -rf /)',
  agent_type: 'build',
  tool: 'mytool',
  model: null,
  resume_session_id: 'sess-1',
  timeout_s: null,
  correlation_id: null,
};

describe('expandArgs', () => {
  it('expands placeholders, drops lone placeholders without a value, leaves unknown ones', () => {
    expect(
      expandArgs(['--prompt', '{prompt}', '-m', '{model}', '{session_id}', '--id={task_id}', '--model={model}', '{unknown}', '{title}'], {
        prompt: 'p',
        model: null,
        session_id: '',
        task_id: 't',
        title: undefined,
      }),
    ).toEqual(['--prompt', 'p', '-m', '--id=t', '--model=', '{unknown}']);
  });

  it('does not re-expand placeholders inside values', () => {
    expect(expandArgs(['{prompt}', 'x{prompt}'], { prompt: '{task_id}', task_id: 'no' })).toEqual(['{task_id}', 'x{task_id}']);
  });
});

describe('CommandAdapter', () => {
  it('builds argv from the tool config (no shell, prompt as one argument)', () => {
    const adapter = new CommandAdapter({
      name: 'mytool',
      command: '/usr/local/bin/mytool',
      args: ['--flag', '{prompt}', '--model', '{model}', '--resume={session_id}', '{task_id}', '{title}'],
      env: { MYTOOL_MODE: 'ci' },
      cwd: null,
    });
    expect(adapter.build(task, { codebasePath: '/srv/app', workerId: 'w1' })).toEqual({
      command: '/usr/local/bin/mytool',
      args: ['--flag', 'make it {green}; $(rm -rf /)', '--model', '--resume=sess-1', 'task-9', 'Fix the build'],
      env: { MYTOOL_MODE: 'ci' },
      cwd: '/srv/app',
    });
  });

  it('resolves a relative cwd against the codebase', () => {
    const adapter = new CommandAdapter({ name: 't', command: '/bin/t', args: ['{prompt}'], env: {}, cwd: 'sub/dir' });
    expect(adapter.build(task, { codebasePath: '/srv/app', workerId: 'w1' }).cwd).toBe('/srv/app/sub/dir');
    const abs = new CommandAdapter({ name: 't', command: '/bin/t', args: [], env: {}, cwd: '/tmp' });
    expect(abs.build(task, { codebasePath: '/srv/app', workerId: 'w1' }).cwd).toBe('/tmp');
  });

  it('treats every line as plain output', () => {
    const adapter = new CommandAdapter({ name: 't', command: '/bin/t', args: [], env: {}, cwd: null });
    expect(adapter.parseLine('{"type":"text"}')).toEqual([{ type: 'output', text: '{"type":"text"}' }]);
  });
});
