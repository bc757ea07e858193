import { SESSION_SYNC_LIMITS } from '#contracts';
import { isoTime, sessionTitle, shorten, TranscriptBuilder } from './transcript';

describe('TranscriptBuilder', () => {
  it('keeps only the most recent messages but counts them all', () => {
    const t = new TranscriptBuilder(3);
    for (let i = 0; i < 5; i++) t.user(`u${i}`, `prompt ${i}`, null);
    expect(t.messageCount).toBe(5);
    expect(t.messages().map((m) => m.id)).toEqual(['u2', 'u3', 'u4']);
    expect(t.firstUserText).toBe('prompt 0');
  });

  it('merges the parts of one assistant message and hangs tool calls on it, within the API bounds', () => {
    const t = new TranscriptBuilder();
    t.assistant('a1', 'Looking.', null, 'm1');
    t.toolCall('read', null, 'a1', 'm1');
    t.assistant('a2', 'Found it.', null, 'm1');
    for (let i = 0; i < 250; i++) t.toolCall('bash', null, 'a3');
    const [m] = t.messages();
    expect(m.text).toBe('Looking.\nFound it.');
    expect(m.tool_calls).toHaveLength(200);
    expect(t.toolUsage).toEqual({ read: 1, bash: 250 });
    expect(t.messageCount).toBe(1);
  });

  it('shortens texts and titles to the sync limits', () => {
    expect(shorten('abcdef', 4)).toBe('abc…');
    expect(sessionTitle(null, `  two\n  lines ${'y'.repeat(400)}`)).toHaveLength(SESSION_SYNC_LIMITS.maxTitle);
    expect(sessionTitle('Own title', 'prompt')).toBe('Own title');
    expect(isoTime(1795440217635)).toBe('2026-11-23T13:23:37.635Z');
    expect(isoTime('not a time')).toBeNull();
  });
});
