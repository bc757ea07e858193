import { codebaseQueueName, jobIdFor, queueNameForTask, workerQueueName } from './queue-names';

describe('queue naming', () => {
  it('routes codebase tasks to the codebase queue and global tasks to the worker queue', () => {
    expect(queueNameForTask('cb_1', 'w1')).toBe('codebase-cb_1');
    expect(queueNameForTask(null, 'w1')).toBe('worker-w1');
    expect(codebaseQueueName('x')).not.toContain(':');
    expect(workerQueueName('x')).not.toContain(':');
  });

  it('gives each generation of a task its own job id', () => {
    expect(jobIdFor('task_a', 0)).not.toBe(jobIdFor('task_a', 1));
    expect(jobIdFor('task_a', 1)).toBe(jobIdFor('task_a', 1));
  });
});
