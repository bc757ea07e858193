import type { FailureReason } from '#contracts';

/** How a run ended, before it is reported. `lost`: the API fenced this run off; nothing is reported. */
export type RunOutcome =
  | { status: 'completed'; result: string; output_truncated: boolean }
  | { status: 'failed'; failure_reason: FailureReason; error: string; exit_code?: number; output_truncated: boolean }
  | { status: 'cancelled'; failure_reason: 'cancelled' | 'worker_shutdown'; error: string; output_truncated: boolean }
  | { status: 'lost'; reason: string };

/** Result and error texts stay readable in a task view and an email. */
export const RESULT_CAP_BYTES = 16 * 1024;

/** The last `maxBytes` of `text` (whole characters), marked when cut. */
export function capTail(text: string, maxBytes = RESULT_CAP_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const buf = Buffer.from(text);
  const tail = buf.subarray(buf.length - maxBytes + 3).toString('utf8').replace(/^\uFFFD+/, '');
  return `…${tail}`;
}
