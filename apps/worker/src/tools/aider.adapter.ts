import type { TaskJob } from '#contracts';
import type { AdapterContext, AgentAdapter, AgentEvent, LaunchSpec } from './agent-adapter';

/**
 * Aider has no session ids: it appends each conversation to a markdown chat history file in
 * the repository (`.aider.chat.history.md` by default) and `--restore-chat-history` loads that
 * file into the next run. Codefleet gives every conversation its own history file, named after
 * the session id: a new task starts session `aider-<task id>`, and a task with
 * `resume_session_id` reuses that id and file with `--restore-chat-history`. The files match
 * the `.aider*` pattern Aider adds to .gitignore (with --yes-always, by itself), so they stay
 * out of its commits.
 */
export const aiderHistoryFile = (sessionId: string): string => `.aider.chat.history.${sessionId}.md`;

/** Session ids become file names: letters, digits, `-` and `_` only. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Aider's own status lines (not the model's reply). The texts come from Aider's source:
 * `Coder.get_announcements` (banner), `Coder.apply_updates` ("Applied edit to"),
 * `Coder.calculate_and_show_tokens_and_cost` ("Tokens: … sent, … received. Cost: …"),
 * `GitRepo.commit` ("Commit <hash> <message>") and the prompts `InputOutput.confirm_ask`
 * prints with `--yes-always`.
 */
const STATUS_LINES: RegExp[] = [
  /^Aider v\d/,
  /^(Main model|Models?|Weak model|Editor model): /,
  /^Git repo: /,
  /^Repo-map: /,
  /^Added .+ to the chat\.$/,
  /^Added .+ to \.gitignore$/,
  /^Restored previous conversation history\.$/,
  /^Commit [0-9a-f]{7,40} /,
  /^Committing .+ before applying edits\.$/,
  /^No changes made to git tracked files\.$/,
  /^You can use \/undo to undo/,
  /^Use \/help /,
  /^Creating empty file /,
  /^Cost estimates may be inaccurate/,
  /^Retrying in [\d.]+ seconds/,
  /^(Warning|See): /,
];

/** A question Aider answers itself with `--yes-always`: `Create new file? (Y)es/(N)o [Yes]: y`. */
const QUESTION = /\? \(Y\)es\/\(N\)o.*\]: \S*$/;

/** `Applied edit to src/app.py` (or `Did not apply edit to X (--dry-run)`). */
const APPLIED_EDIT = /^(Applied|Did not apply) edit to (.+?)(?: \(--dry-run\))?$/;
/** `Tokens: 2.5k sent, 1,024 cached, 95 received. Cost: $0.0085 message, $0.0085 session.` */
const TOKENS = /^Tokens: ([\d.,]+k?) sent,(?: [\d.,]+k? cache (?:write|hit),)*(?: [\d.,]+k? cached,)? ([\d.,]+k?) received\.(?: Cost: \$([\d.]+) message)?/;
/** Errors Aider prints from litellm (`litellm.AuthenticationError: AnthropicException - …`). */
const MODEL_ERROR = /^litellm\.\w*(Error|Exception)\b/;

/**
 * Aider: `aider --message PROMPT --yes-always --no-pretty --no-stream --no-check-update
 * --no-show-model-warnings --no-analytics --chat-history-file F [--restore-chat-history]
 * [--model M]` in the codebase, stdin closed. Its stdout is plain text: its status lines and,
 * after each model call, the model's reply followed by its "Tokens:" line. Every reply line is
 * text; the last reply is the task's result. Holds state for one run: the catalog makes one per task.
 */
export class AiderAdapter implements AgentAdapter {
  readonly tool = 'aider';
  private sessionId: string | null = null;
  private sessionAnnounced = false;
  /** Replies are numbered so that the runner takes the last one as the result. */
  private replyNo = 0;
  /**
   * Lines that are not Aider's own, held until the next status line says what they were:
   * the model's reply (Aider prints it whole, then "Tokens: …"), or the subject Aider prints
   * above a `--yes-always` question ("hello.txt" above "Create new file? (Y)es/(N)o …").
   */
  private held: string[] = [];
  private repliedText = false;
  private lastError: string | null = null;
  /** After a model error and before the next reply, Aider explains the error: not a reply. */
  private errorSinceReply = false;

  constructor(private readonly bin: string) {}

  build(task: TaskJob, ctx: AdapterContext): LaunchSpec {
    const resume = task.resume_session_id;
    if (resume !== null && !SESSION_ID.test(resume)) {
      throw new Error(`aider session ids are letters, digits, "-" and "_" (got ${JSON.stringify(resume.slice(0, 60))})`);
    }
    this.sessionId = resume ?? `aider-${task.task_id}`;
    // `--message=` so a prompt that starts with "-" is never read as a flag.
    const args = [
      `--message=${task.prompt}`,
      '--yes-always',
      '--no-pretty',
      '--no-stream',
      '--no-check-update',
      '--no-show-model-warnings',
      '--no-analytics',
      '--chat-history-file',
      aiderHistoryFile(this.sessionId),
    ];
    if (resume) args.push('--restore-chat-history');
    if (task.model) args.push('--model', task.model);
    // Python buffers a piped stdout: without this the output would arrive only at exit.
    return { command: this.bin, args, env: { PYTHONUNBUFFERED: '1' }, cwd: ctx.codebasePath };
  }

  parseLine(line: string): AgentEvent[] {
    const out: AgentEvent[] = [];
    if (!this.sessionAnnounced && this.sessionId) {
      this.sessionAnnounced = true;
      out.push({ type: 'session_started', session_id: this.sessionId });
    }
    const trimmed = line.trim();

    if (QUESTION.test(trimmed)) {
      // What was held is the question's subject, not a reply.
      out.push(...this.held.filter((l) => l.trim() !== '').map((text): AgentEvent => ({ type: 'output', text })));
      this.held = [];
      out.push({ type: 'output', text: line });
      return out;
    }
    const edit = APPLIED_EDIT.exec(trimmed);
    if (edit) {
      out.push(...this.flushReply(), { type: 'tool_call', name: 'edit', title: edit[2], status: edit[1] === 'Applied' ? 'completed' : 'skipped' });
      return out;
    }
    const tokens = TOKENS.exec(trimmed);
    if (tokens) {
      const cost = tokens[3] === undefined ? undefined : Number(tokens[3]);
      this.errorSinceReply = false;
      out.push(...this.flushReply(), { type: 'usage', input_tokens: tokenCount(tokens[1]), output_tokens: tokenCount(tokens[2]), cost }, { type: 'output', text: line });
      return out;
    }
    if (MODEL_ERROR.test(trimmed)) {
      this.lastError = trimmed;
      out.push(...this.flushReply(), { type: 'error', message: trimmed });
      this.errorSinceReply = true;
      return out;
    }
    if (STATUS_LINES.some((re) => re.test(trimmed))) {
      out.push(...this.flushReply(), { type: 'output', text: line });
      return out;
    }
    if (trimmed !== '' || this.held.length > 0) this.held.push(line);
    return out;
  }

  /** The process ended: whatever is still held was the last reply. */
  finish(): AgentEvent[] {
    return this.flushReply();
  }

  /**
   * Aider ends with exit code 0 even when every model call failed (it prints the error and
   * returns): a run with a model error and no reply at all has failed.
   */
  exitError(code: number | null): string | null {
    return code === 0 && this.lastError && !this.repliedText ? this.lastError : null;
  }

  /** The held lines as one reply (blank lines at its ends dropped); after a model error, as plain output. */
  private flushReply(): AgentEvent[] {
    const lines = this.held;
    this.held = [];
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    if (lines.length === 0) return [];
    if (this.errorSinceReply) return lines.map((text): AgentEvent => ({ type: 'output', text }));
    this.replyNo += 1;
    this.repliedText = true;
    const id = `aider-${this.replyNo}`;
    return lines.map((text): AgentEvent => ({ type: 'text', text, message_id: id }));
  }
}

/** Aider prints token counts as `1,234` or, from 1000 up, `2.5k`. */
function tokenCount(raw: string): number | undefined {
  const k = raw.endsWith('k');
  const n = Number(raw.replace(/[,k]/g, ''));
  if (!Number.isFinite(n)) return undefined;
  return Math.round(k ? n * 1000 : n);
}
