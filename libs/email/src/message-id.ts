// Stable Message-IDs so a task's notification, the user's reply and the notification of the
// continuation task land in one thread in every mail client.

/**
 * `<task.<id>@<domain>>`: derived from the task id, so a re-sent notification threads too. A
 * requeued task that ends again is run N > 1 and gets `<task.<id>.r<N>@<domain>>`.
 */
export function taskMessageId(taskId: string, domain: string, run = 1): string {
  const safeId = taskId.replace(/[^A-Za-z0-9._-]/g, (ch) => `=${ch.charCodeAt(0).toString(16)}`);
  return `<task.${safeId}${run > 1 ? `.r${run}` : ''}@${domain.trim().toLowerCase()}>`;
}

export interface TaskThreadInput {
  taskId: string;
  domain: string;
  /** Earlier tasks of the same conversation, oldest first (the chain of continuations). */
  ancestorTaskIds?: string[];
  /** Message-ID of the inbound reply that created this task, when there was one. */
  inboundMessageId?: string | null;
  /** Which run of the task ended (its attempt); a later run replies to the first run's notification. */
  run?: number;
}

export interface TaskThreadHeaders {
  messageId: string;
  inReplyTo?: string;
  references?: string[];
}

/** Clients cope badly with very long References; RFC 5322 suggests keeping the first and latest ids. */
const MAX_REFERENCES = 20;

export function taskThreadHeaders(input: TaskThreadInput): TaskThreadHeaders {
  const run = input.run ?? 1;
  const messageId = taskMessageId(input.taskId, input.domain, run);
  const chain = (input.ancestorTaskIds ?? []).map((id) => taskMessageId(id, input.domain));
  if (input.inboundMessageId) chain.push(normalizeMessageId(input.inboundMessageId));
  if (run > 1) chain.push(taskMessageId(input.taskId, input.domain));
  if (chain.length === 0) return { messageId };
  const references = chain.length > MAX_REFERENCES ? [chain[0], ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
  return { messageId, inReplyTo: references[references.length - 1], references };
}

/** `abc@x` and `<abc@x>` are the same id; stored and compared with angle brackets. */
export function normalizeMessageId(value: string): string {
  const trimmed = value.trim();
  const inner = trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
  return `<${inner.trim()}>`;
}
