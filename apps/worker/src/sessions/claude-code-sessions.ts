import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { SESSION_SYNC_LIMITS, type SyncedSession } from '#contracts';
import type { Logger } from 'pino';
import { SessionFileCache } from './session-file-cache';
import { byUpdatedDesc, type ListOptions, type SessionReader } from './session-reader';
import { newestFiles, pathVariants, readJsonLines } from './store-files';
import { isoTime, sessionTitle, TranscriptBuilder } from './transcript';

/** Claude Code caps a project directory name at this many characters, then appends a hash. */
const SLUG_MAX = 200;

/**
 * Claude Code's project directory name for a working directory (checked on 2.1.330): every
 * character outside [a-zA-Z0-9] becomes `-` (`/tmp/my.proj_dir/sub x` ->
 * `-tmp-my-proj-dir-sub-x`). This is the full slug, never cut: Claude Code names a directory
 * for a slug over 200 characters by its first 200, `-` and a hash, which `projectDirs`
 * finds by that prefix.
 */
export function claudeProjectSlug(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * Sessions in `$CLAUDE_CONFIG_DIR` (else `~/.claude`) `/projects/<slug>/<session id>.jsonl`:
 * one JSON object per line; `user`/`assistant` lines carry `message`, `cwd`, `timestamp`;
 * `custom-title`/`ai-title`/`summary` lines carry titles.
 */
export class ClaudeCodeSessionReader implements SessionReader {
  readonly tool = 'claude_code';
  /** Parsed session files, reused while unchanged (a .jsonl is often megabytes). */
  readonly cache = new SessionFileCache<SyncedSession | null>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {}

  private get projectsDir(): string {
    return join(this.env.CLAUDE_CONFIG_DIR || join(this.env.HOME || homedir(), '.claude'), 'projects');
  }

  async list(codebasePath: string, opts: ListOptions = {}): Promise<SyncedSession[]> {
    const cwds = await pathVariants(codebasePath);
    const dirs = new Set<string>();
    for (const cwd of cwds) for (const d of await this.projectDirs(claudeProjectSlug(cwd))) dirs.add(d);
    const files = (await Promise.all([...dirs].map((d) => newestFiles(d, (n) => n.endsWith('.jsonl'), SESSION_SYNC_LIMITS.maxSessions))))
      .flat()
      .sort((a, b) => b.mtimeMs - a.mtimeMs)
      .slice(0, SESSION_SYNC_LIMITS.maxSessions);
    const sessions: SyncedSession[] = [];
    const cached = this.cache.begin(codebasePath);
    for (const file of files) {
      if (opts.signal?.aborted) break;
      try {
        const s = await cached.get(file, () => this.readSession(file.path, file.mtimeMs, cwds));
        if (s) sessions.push(s);
      } catch (err) {
        this.logger.debug({ file: file.path, err: (err as Error).message }, 'claude code session file unreadable; skipped');
      }
    }
    cached.end(!opts.signal?.aborted);
    return sessions.sort(byUpdatedDesc);
  }

  /** The slug's directory; for a long path, the hashed variants that start with its first 200 characters. */
  private async projectDirs(slug: string): Promise<string[]> {
    if (slug.length <= SLUG_MAX) return [join(this.projectsDir, slug)];
    const prefix = `${slug.slice(0, SLUG_MAX)}-`;
    const names = await readdir(this.projectsDir).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith(prefix)).map((n) => join(this.projectsDir, n));
  }

  private async readSession(path: string, mtimeMs: number, cwds: string[]): Promise<SyncedSession | null> {
    const t = new TranscriptBuilder();
    let cwd: string | null = null;
    let customTitle: string | null = null;
    let aiTitle: string | null = null;
    let summary: string | null = null;
    const { skipped } = await readJsonLines(path, (e) => {
      if (typeof e.cwd === 'string') cwd ??= e.cwd;
      if (e.type === 'custom-title' && typeof e.customTitle === 'string') customTitle = e.customTitle;
      else if (e.type === 'ai-title' && typeof e.aiTitle === 'string') aiTitle = e.aiTitle;
      else if (e.type === 'summary' && typeof e.summary === 'string') summary = e.summary;
      if ((e.type !== 'user' && e.type !== 'assistant') || e.isSidechain || !e.message) return;
      const at = isoTime(e.timestamp);
      t.seen(at);
      const id = typeof e.uuid === 'string' ? e.uuid : `${t.messageCount}`;
      const content = e.message.content;
      if (e.type === 'user') {
        if (e.isMeta) return;
        const text = typeof content === 'string' ? content : textBlocks(content);
        t.user(id, text, at);
        return;
      }
      const key = typeof e.message.id === 'string' ? e.message.id : id;
      for (const block of Array.isArray(content) ? content : []) {
        if (block?.type === 'text' && typeof block.text === 'string') t.assistant(id, block.text, at, key);
        else if (block?.type === 'tool_use' && typeof block.name === 'string') t.toolCall(block.name, at, id, key);
      }
    });
    if (skipped) this.logger.debug({ file: path, skipped }, 'claude code session: lines that are not JSON skipped');
    // Another directory with the same slug (`/a/b_c` and `/a/b-c`): not this codebase.
    if (cwd !== null && !cwds.includes(cwd)) return null;
    if (t.messageCount === 0) return null;
    return {
      id: basename(path, '.jsonl'),
      agent_type: this.tool,
      title: sessionTitle(customTitle ?? aiTitle ?? summary, t.firstUserText),
      created_at: t.createdAt,
      updated_at: t.updatedAt ?? new Date(mtimeMs).toISOString(),
      message_count: t.messageCount,
      tool_usage: t.toolUsage,
      messages: t.messages(),
    };
  }
}

function textBlocks(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
}
