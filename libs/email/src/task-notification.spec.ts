import { renderTaskNotification, type NotificationTask } from './task-notification';

const task: NotificationTask = {
  id: 't-0001',
  title: 'Add unit tests for the <auth> module',
  status: 'completed',
  result: 'All 12 tests pass.',
  error: null,
  failure_reason: null,
  started_at: '2026-11-23T09:55:00.000Z',
  finished_at: new Date('2026-11-23T09:58:05.000Z'),
  session_id: 'ses_6a1b2c3d4ffeAbCdEfGhIjKlMn',
};

describe('renderTaskNotification', () => {
  it('says what happened, where and how long it took', () => {
    const email = renderTaskNotification({
      task,
      workerName: 'build-box-1',
      outputTail: '\u001b[32mPASS\u001b[0m src/auth.spec.ts\n',
      replyAddress: 'task+sx.y@inbound.example.com',
      appUrl: 'https://fleet.example.com/',
    });
    expect(email.subject).toBe('[Codefleet] Task completed: Add unit tests for the <auth> module');
    for (const fact of ['t-0001', 'ses_6a1b2c3d4ffeAbCdEfGhIjKlMn', 'build-box-1', '3m 05s', 'All 12 tests pass.']) {
      expect(email.text).toContain(fact);
      expect(email.html).toContain(fact);
    }
    expect(email.text).toContain('Output:\nPASS src/auth.spec.ts');
    expect(email.text).toContain('Reply to this email to continue this agent session');
    expect(email.text).toContain('https://fleet.example.com/v1/agent/tasks/t-0001');
  });

  it('escapes everything in the HTML part', () => {
    const email = renderTaskNotification({
      task: { ...task, status: 'failed', failure_reason: 'agent_exit_nonzero', error: '<script>alert("x")</script> & more' },
      outputTail: '<img src=x onerror=alert(1)>',
    });
    expect(email.html).not.toMatch(/<script|<img|<auth>/);
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(email.html).toContain('Add unit tests for the &lt;auth&gt; module');
    expect(email.subject).toBe('[Codefleet] Task failed (agent_exit_nonzero): Add unit tests for the <auth> module');
    expect(email.text).toContain('Error:\n<script>alert("x")</script> & more');
  });

  it('shows only the tail of long output, with a note', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const email = renderTaskNotification({ task, outputTail: lines, maxOutputChars: 1000 });
    expect(email.text).toContain('Output truncated');
    expect(email.text).toContain('line 4999');
    expect(email.text).not.toContain('line 10\n');
    expect(email.text.length).toBeLessThan(2000);
    expect(renderTaskNotification({ task, outputTail: 'short', outputTruncated: true }).html).toContain('Output truncated');
  });

  it('offers to reply only when there is a reply address, and never breaks the subject line', () => {
    const email = renderTaskNotification({ task: { ...task, session_id: null, title: 'multi\r\nline\ttitle' } });
    expect(email.text).not.toContain('Reply to this email');
    expect(email.html).not.toContain('Reply to this email');
    expect(email.subject).toBe('[Codefleet] Task completed: multi line title');
    expect(email.text).not.toContain('Session:');
    expect(renderTaskNotification({ task: { ...task, session_id: null }, replyAddress: 'task+tt-0001.x@in.example' }).text).toContain(
      'continue from this task',
    );
  });
});
