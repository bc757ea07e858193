import { normalizeMessageId, taskMessageId, taskThreadHeaders } from './message-id';

describe('message ids for threading', () => {
  it('derives a stable Message-ID from the task id', () => {
    expect(taskMessageId('b7e4a1c2-0d3f', 'Mail.Example.com')).toBe('<task.b7e4a1c2-0d3f@mail.example.com>');
    expect(taskMessageId('a b<c>', 'x.example')).toBe('<task.a=20b=3cc=3e@x.example>');
  });

  it('threads a continuation task under the original and the reply that started it', () => {
    expect(taskThreadHeaders({ taskId: 't1', domain: 'x.example' })).toEqual({ messageId: '<task.t1@x.example>' });
    expect(
      taskThreadHeaders({ taskId: 't3', domain: 'x.example', ancestorTaskIds: ['t1', 't2'], inboundMessageId: 'CAH8@mail.gmail.com' }),
    ).toEqual({
      messageId: '<task.t3@x.example>',
      inReplyTo: '<CAH8@mail.gmail.com>',
      references: ['<task.t1@x.example>', '<task.t2@x.example>', '<CAH8@mail.gmail.com>'],
    });
  });

  it("gives a requeued task's later run its own id, replying to the first run's notification", () => {
    expect(taskThreadHeaders({ taskId: 't1', domain: 'x.example', run: 1 })).toEqual({ messageId: '<task.t1@x.example>' });
    expect(taskThreadHeaders({ taskId: 't1', domain: 'x.example', run: 2 })).toEqual({
      messageId: '<task.t1.r2@x.example>',
      inReplyTo: '<task.t1@x.example>',
      references: ['<task.t1@x.example>'],
    });
  });

  it('keeps References short for long conversations, first and latest ids kept', () => {
    const ancestors = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const { references, inReplyTo } = taskThreadHeaders({ taskId: 'tz', domain: 'x.example', ancestorTaskIds: ancestors });
    expect(references).toHaveLength(20);
    expect(references![0]).toBe('<task.t0@x.example>');
    expect(inReplyTo).toBe('<task.t49@x.example>');
  });

  it('normalizes ids with or without brackets', () => {
    expect(normalizeMessageId(' abc@x ')).toBe('<abc@x>');
    expect(normalizeMessageId('<abc@x>')).toBe('<abc@x>');
  });
});
