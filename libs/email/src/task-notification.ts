// The "your task ended" email: the same facts in a plain-text and an HTML part.
import { durationBetween, formatDuration } from './format-duration';
import { escapeHtml } from './html-escape';
import { cleanTerminalText, keepTail } from './terminal-text';

export interface NotificationTask {
  id: string;
  title: string;
  status: string;
  error?: string | null;
  result?: string | null;
  failure_reason?: string | null;
  started_at?: Date | string | null;
  finished_at?: Date | string | null;
  session_id?: string | null;
}

export interface RenderTaskNotificationInput {
  task: NotificationTask;
  workerName?: string | null;
  /** The end of the task's output, as stored. */
  outputTail?: string | null;
  /** The stored output itself was capped (task_output truncation). */
  outputTruncated?: boolean;
  /** Signed reply address; reply instructions appear only when there is one. */
  replyAddress?: string | null;
  /** Public base URL of the API, for a link to the task. */
  appUrl?: string | null;
  /** Longest output tail put in the email. */
  maxOutputChars?: number;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
const MAX_TITLE_CHARS = 120;
const STATUS_WORDS: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'was cancelled',
};

interface Section {
  heading: string;
  body: string;
  note?: string;
}

/** What the email says, before it is laid out as text or HTML. */
interface NotificationContent {
  headline: string;
  facts: Array<[label: string, value: string]>;
  sections: Section[];
  taskUrl: string | null;
  replyHint: string | null;
}

const TRUNCATION_NOTE = 'Output truncated: only the last part is shown. The full output is kept with the task.';
const FACT_STYLE = 'padding:2px 12px 2px 0';
const PRE_STYLE = 'white-space:pre-wrap;background:#f6f8fa;padding:8px;font-size:12px';

export function renderTaskNotification(input: RenderTaskNotificationInput): RenderedEmail {
  const { task } = input;
  const title = oneLine(task.title) || '(untitled task)';
  const shortTitle = title.length > MAX_TITLE_CHARS ? `${title.slice(0, MAX_TITLE_CHARS - 1)}…` : title;
  const statusWord = STATUS_WORDS[task.status] ?? task.status;
  const reason = task.status === 'failed' && task.failure_reason ? ` (${task.failure_reason})` : '';

  const duration = durationBetween(task.started_at, task.finished_at);
  const facts: NotificationContent['facts'] = [
    ['Status', task.status + (task.failure_reason ? ` (${task.failure_reason})` : '')],
    ['Task', `${task.id} ${title}`],
  ];
  if (task.session_id) facts.push(['Session', task.session_id]);
  if (input.workerName) facts.push(['Worker', input.workerName]);
  if (duration !== null) facts.push(['Duration', formatDuration(duration)]);

  const sections: Section[] = [];
  if (task.error) sections.push({ heading: 'Error', body: cleanTerminalText(task.error).trim() });
  if (task.result && task.status === 'completed') {
    sections.push({ heading: 'Result', body: cleanTerminalText(task.result).trim() });
  }
  const output = outputSection(input);
  if (output) sections.push(output);

  const content: NotificationContent = {
    headline: `Task ${statusWord}${reason}: ${title}`,
    facts,
    sections,
    taskUrl: input.appUrl ? `${input.appUrl.replace(/\/+$/, '')}/v1/agent/tasks/${encodeURIComponent(task.id)}` : null,
    replyHint: input.replyAddress
      ? `Reply to this email to continue ${task.session_id ? 'this agent session' : 'from this task'}: ` +
        'your reply (without the quoted text) becomes the next prompt. ' +
        'Put [model:provider/name] in the subject to choose the model.'
      : null,
  };
  return {
    subject: `[Codefleet] Task ${statusWord}${reason}: ${shortTitle}`,
    text: renderText(content),
    html: renderHtml(content),
  };
}

function outputSection(input: RenderTaskNotificationInput): Section | null {
  const raw = input.outputTail ? cleanTerminalText(input.outputTail).replace(/\s+$/, '') : '';
  if (!raw) return null;
  const { text, cut } = keepTail(raw, input.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS);
  return { heading: 'Output', body: text, note: cut || input.outputTruncated ? TRUNCATION_NOTE : undefined };
}

function renderText({ headline, facts, sections, taskUrl, replyHint }: NotificationContent): string {
  const width = Math.max(...facts.map(([label]) => label.length)) + 2;
  const lines = [headline, '', ...facts.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)];
  for (const section of sections) {
    lines.push('', `${section.heading}:`);
    if (section.note) lines.push(`[${section.note}]`);
    lines.push(section.body);
  }
  if (taskUrl) lines.push('', `Task details: ${taskUrl}`);
  if (replyHint) lines.push('', '--', replyHint);
  return lines.join('\n') + '\n';
}

function renderHtml({ headline, facts, sections, taskUrl, replyHint }: NotificationContent): string {
  const rows = facts.map(
    ([label, value]) => `<tr><th align="left" style="${FACT_STYLE}">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  const blocks = sections.map((s) =>
    [
      `<h3 style="margin:16px 0 4px">${escapeHtml(s.heading)}</h3>`,
      s.note ? `<p style="color:#777;margin:0 0 4px"><em>${escapeHtml(s.note)}</em></p>` : '',
      `<pre style="${PRE_STYLE}">${escapeHtml(s.body)}</pre>`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="margin:0 0 8px">${escapeHtml(headline)}</h2>`,
    `<table>${rows.join('\n')}</table>`,
    ...blocks,
    taskUrl ? `<p><a href="${escapeHtml(taskUrl)}">Task details</a></p>` : '',
    replyHint ? `<hr><p style="color:#555">${escapeHtml(replyHint)}</p>` : '',
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
