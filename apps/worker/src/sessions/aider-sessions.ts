import { stat } from 'node:fs/promises';
import { SESSION_SYNC_LIMITS, type SyncedSession } from '#contracts';
import type { Logger } from 'pino';
import { SessionFileCache } from './session-file-cache';
import { byUpdatedDesc, type ListOptions, type SessionReader } from './session-reader';
import { newestFiles, readLines } from './store-files';
import { sessionTitle, TranscriptBuilder } from './transcript';

/** `.aider.chat.history.<session>.md`, the per-session file the aider adapter names (aiderHistoryFile). */
const HISTORY_FILE = /^\.aider\.chat\.history\.([A-Za-z0-9_-]{1,128})\.md$/;

/** `# aider chat started at 2025-06-01 10:00:00` (local time): one per Aider run. */
const RUN_HEADER = /^# aider chat started at (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\s*$/;
const USER_LINE = /^####(?: (.*))?$/;
const TOOL_LINE = /^>(?: (.*))?$/;
const FENCE = /^\s*(```|~~~)/;
/** Tool lines that say the agent acted: `Applied edit to hello.py`, `Running npm test`. */
const TOOL_CALLS: [RegExp, string][] = [
  [/^Applied edit to /, 'edit'],
  [/^Running /, 'shell'],
];
/** A block longer than this is cut anyway (maxMessageText): no need to hold more of it. */
const MAX_BLOCK_CHARS = SESSION_SYNC_LIMITS.maxMessageText + 1;

type BlockKind = 'user' | 'assistant' | 'tool';

/**
 * Aider keeps no session store; Codefleet gives each conversation its own chat history file in
 * the codebase (see aider.adapter.ts), and this reader lists those files as sessions.
 *
 * The format is Aider's own markdown log, written by `InputOutput` in aider/io.py (Aider-AI/aider):
 * `__init__` appends `# aider chat started at <local time>` at each start; `user_input` writes
 * the prompt with every line prefixed `#### ` (an empty one as `#### <blank>`); `ai_output`
 * writes the model's reply as plain text between blank lines; `tool_output`, `tool_warning`,
 * `tool_error` and the answered `confirm_ask` questions go through `append_chat_history` with
 * `blockquote=True`, i.e. `> ` lines. Lines end with two spaces (a markdown line break).
 * The format is ambiguous where a reply itself has `> ` or `#### ` lines; inside a code fence
 * they are kept as reply text.
 */
export class AiderSessionReader implements SessionReader {
  readonly tool = 'aider';
  /** Parsed history files, reused while unchanged. */
  readonly cache = new SessionFileCache<SyncedSession | null>();

  constructor(private readonly logger: Logger) {}

  async list(codebasePath: string, opts: ListOptions = {}): Promise<SyncedSession[]> {
    const files = await newestFiles(codebasePath, (name) => HISTORY_FILE.test(name), SESSION_SYNC_LIMITS.maxSessions);
    const sessions: SyncedSession[] = [];
    const cached = this.cache.begin(codebasePath);
    for (const file of files) {
      if (opts.signal?.aborted) break;
      const id = HISTORY_FILE.exec(file.path.slice(file.path.lastIndexOf('/') + 1))![1];
      try {
        const session = await cached.get(file, () => this.readSession(id, file.path));
        if (session) sessions.push(session);
      } catch (err) {
        this.logger.debug({ file: file.path, err: (err as Error).message }, 'aider chat history unreadable; skipped');
      }
    }
    cached.end(!opts.signal?.aborted);
    return sessions.sort(byUpdatedDesc);
  }

  private async readSession(id: string, path: string): Promise<SyncedSession | null> {
    const st = await stat(path);
    const t = new TranscriptBuilder();
    const parser = new HistoryParser(t);
    const { tooLong } = await readLines(path, (line) => parser.line(line));
    if (tooLong) this.logger.debug({ file: path, skipped: tooLong }, 'aider chat history: overlong lines skipped');
    parser.end();
    if (t.messageCount === 0) return null;

    // File times: birth time where the filesystem keeps one, else the first run's start.
    const born = st.birthtimeMs > 0 ? st.birthtimeMs : Number.POSITIVE_INFINITY;
    const firstRun = t.createdAt ? Date.parse(t.createdAt) : Number.POSITIVE_INFINITY;
    const created = Math.min(born, firstRun, st.mtimeMs);
    return {
      id,
      agent_type: this.tool,
      title: sessionTitle(null, t.firstUserText),
      created_at: new Date(created).toISOString(),
      updated_at: new Date(st.mtimeMs).toISOString(),
      message_count: t.messageCount,
      tool_usage: t.toolUsage,
      messages: t.messages(),
    };
  }
}

/**
 * Turns the history's lines into messages, one block at a time. A message's id is the line it
 * starts on: the file is only appended to, so ids stay the same from one sync to the next.
 */
class HistoryParser {
  private lineNo = 0;
  private kind: BlockKind | null = null;
  private block: string[] = [];
  private blockChars = 0;
  private blockStart = 0;
  private inFence = false;
  /** Start of the run the current lines belong to, as an ISO time. */
  private runAt: string | null = null;

  constructor(private readonly t: TranscriptBuilder) {}

  line(raw: string): void {
    this.lineNo++;
    // Aider ends its lines with two spaces (a markdown line break).
    const line = raw.replace(/\s+$/, '');
    if (this.inFence) {
      if (FENCE.test(line)) this.inFence = false;
      this.add('assistant', raw.trimEnd());
      return;
    }
    const header = RUN_HEADER.exec(line);
    if (header) {
      this.flush();
      const at = new Date(`${header[1]}T${header[2]}`); // local time, as Aider wrote it
      this.runAt = Number.isNaN(at.getTime()) ? null : at.toISOString();
      this.t.seen(this.runAt);
      return;
    }
    const user = USER_LINE.exec(line);
    if (user) return this.add('user', user[1] === '<blank>' ? '' : (user[1] ?? ''));
    const tool = TOOL_LINE.exec(line);
    if (tool) return this.add('tool', tool[1] ?? '');
    if (line === '') {
      // A blank line ends a prompt or a tool block; inside a reply it is part of the text.
      if (this.kind === 'assistant') this.add('assistant', '');
      else this.flush();
      return;
    }
    if (FENCE.test(line)) this.inFence = true;
    this.add('assistant', raw.trimEnd());
  }

  /** End of file: a half-written last block still counts. */
  end(): void {
    this.flush();
  }

  private add(kind: BlockKind, text: string): void {
    if (this.kind !== kind) {
      this.flush();
      this.kind = kind;
      this.blockStart = this.lineNo;
    }
    if (this.blockChars >= MAX_BLOCK_CHARS) return;
    this.block.push(text);
    this.blockChars += text.length + 1;
    if (kind === 'tool') {
      // On the reply before this block; the id only matters when there was none (then a message of its own).
      for (const [pattern, name] of TOOL_CALLS) if (pattern.test(text)) this.t.toolCall(name, this.runAt, `L${this.lineNo}-call`);
    }
  }

  private flush(): void {
    const kind = this.kind;
    const text = this.block.join('\n').trim();
    this.kind = null;
    this.block = [];
    this.blockChars = 0;
    if (!kind || !text) return;
    const id = `L${this.blockStart}`;
    if (kind === 'user') this.t.user(id, text, this.runAt);
    else if (kind === 'assistant') this.t.assistant(id, text, this.runAt, id);
    else this.t.tool(id, text, this.runAt);
  }
}
