import type { SyncedSession } from '#contracts';
import { fitBatches } from './sync-batches';

const session = (id: string, messages: number, textLength: number): SyncedSession => ({
  id,
  agent_type: 'claude_code',
  message_count: messages,
  messages: Array.from({ length: messages }, (_, i) => ({ id: `${id}-${i}`, role: 'user', text: 'x'.repeat(textLength) })),
});
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('fitBatches', () => {
  it('keeps small syncs in one request, in order', () => {
    const all = [session('a', 2, 10), session('b', 1, 10)];
    expect(fitBatches(all)).toEqual([all]);
  });

  it('splits sessions into requests under the byte budget', () => {
    const all = Array.from({ length: 10 }, (_, i) => session(`s${i}`, 5, 400));
    const batches = fitBatches(all, 5000);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat().map((s) => s.id)).toEqual(all.map((s) => s.id));
    for (const b of batches) expect(bytes(b)).toBeLessThanOrEqual(5000);
  });

  it('a session too big on its own keeps its most recent messages', () => {
    const [[big]] = fitBatches([session('big', 50, 1000)], 10_000);
    expect(big.messages!.length).toBeLessThan(50);
    expect(big.messages![big.messages!.length - 1].id).toBe('big-49');
    expect(big.message_count).toBe(50);
    expect(bytes(big)).toBeLessThanOrEqual(10_000);
  });
});
