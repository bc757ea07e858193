import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SESSION_SYNC_LIMITS, type SyncedSession } from '#contracts';
import type { Logger } from 'pino';
import { SessionFileCache } from './session-file-cache';
import { byUpdatedDesc, type ListOptions, type SessionReader } from './session-reader';
import { pathVariants, readJsonLines, type StoreFile } from './store-files';
import { isoTime, sessionTitle, TranscriptBuilder } from './transcript';

/** Rollout files looked at, newest first: bounds a store with years of sessions (walk, stat and heads). */
const MAX_SCANNED = SESSION_SYNC_LIMITS.maxSessions * 10;

/**
 * Codex keeps one file per thread: `$CODEX_HOME` (else `~/.codex`)
 * `/sessions/YYYY/MM/DD/rollout-<local time>-<thread id>.jsonl`. Its first line is
 * `{type:"session_meta", payload:{id, cwd, timestamp, ...}}`; the conversation follows as
 * `response_item` lines (`message` with role user/assistant/developer, `function_call`,
 * `custom_tool_call`, ...).
 */
export class CodexSessionReader implements SessionReader {
  readonly tool = 'codex';
  /**
   * Rollout file -> the cwd its first line names: a thread never moves, so each file's head is
   * read once. Pruned to the files of the latest walk.
   */
  private readonly cwdOf = new Map<string, string | null>();
  /** Parsed rollouts of each codebase, reused while unchanged. */
  readonly cache = new SessionFileCache<SyncedSession | null>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {}

  private get sessionsDir(): string {
    return join(this.env.CODEX_HOME || join(this.env.HOME || homedir(), '.codex'), 'sessions');
  }

  async list(codebasePath: string, opts: ListOptions = {}): Promise<SyncedSession[]> {
    const cwds = await pathVariants(codebasePath);
    const files = await this.rolloutFiles();
    const walked = new Set(files.map((f) => f.path));
    for (const path of this.cwdOf.keys()) if (!walked.has(path)) this.cwdOf.delete(path);
    const byId = new Map<string, SyncedSession>();
    const cached = this.cache.begin(codebasePath);
    for (const file of files) {
      if (byId.size >= SESSION_SYNC_LIMITS.maxSessions || opts.signal?.aborted) break;
      const knownCwd = this.cwdOf.get(file.path);
      if (knownCwd !== undefined && (knownCwd === null || !cwds.includes(knownCwd))) continue;
      try {
        const s = await cached.get(file, () => this.readSession(file, cwds));
        // `exec resume` may write the same thread to a newer file: the newest wins.
        if (s && !byId.has(s.id)) byId.set(s.id, s);
      } catch (err) {
        this.logger.debug({ file: file.path, err: (err as Error).message }, 'codex rollout unreadable; skipped');
      }
    }
    cached.end(!opts.signal?.aborted);
    return [...byId.values()].sort(byUpdatedDesc);
  }

  /**
   * The newest MAX_SCANNED rollout files, most recently written first. The YYYY/MM/DD folders
   * and the `rollout-<time>` names sort by time, so the walk goes newest first and stops there.
   */
  private async rolloutFiles(): Promise<StoreFile[]> {
    const found: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => b.name.localeCompare(a.name));
      for (const e of entries) {
        if (found.length >= MAX_SCANNED) return;
        if (e.isDirectory() && depth < 3) await walk(join(dir, e.name), depth + 1);
        else if (e.isFile() && e.name.startsWith('rollout-') && e.name.endsWith('.jsonl')) found.push(join(dir, e.name));
      }
    };
    await walk(this.sessionsDir, 0);
    const stated = await Promise.all(
      found.map(async (path) => {
        const st = await stat(path).catch(() => null);
        return { path, size: st?.size ?? 0, mtimeMs: st?.mtimeMs ?? 0 };
      }),
    );
    return stated.sort((a, b) => b.mtimeMs - a.mtimeMs);
  }

  private async readSession(file: StoreFile, cwds: string[]): Promise<SyncedSession | null> {
    const t = new TranscriptBuilder();
    let meta: { id?: unknown; cwd?: unknown; timestamp?: unknown } | null = null;
    let first = true;
    let mine = false;
    const { skipped } = await readJsonLines(file.path, (line) => {
      if (first) {
        first = false;
        if (line.type !== 'session_meta' || !line.payload) {
          this.cwdOf.set(file.path, null);
          return false;
        }
        meta = line.payload;
        this.cwdOf.set(file.path, typeof meta!.cwd === 'string' ? meta!.cwd : null);
        mine = typeof meta!.cwd === 'string' && cwds.includes(meta!.cwd);
        if (!mine) return false; // another directory: stop after the first line
        t.seen(isoTime(meta!.timestamp) ?? isoTime(line.timestamp));
        return;
      }
      const at = isoTime(line.timestamp);
      t.seen(at);
      if (line.type !== 'response_item' || !line.payload) return;
      const p = line.payload;
      const id = typeof p.id === 'string' ? p.id : `${t.messageCount}`;
      if (p.type === 'message') {
        const text = contentText(p.content);
        if (p.role === 'user' && fromUser(p)) t.user(id, text, at);
        else if (p.role === 'assistant') {
          t.breakTurn();
          t.assistant(id, text, at);
        }
      } else if (p.type === 'function_call' || p.type === 'custom_tool_call') {
        if (typeof p.name === 'string') t.toolCall(p.name, at, id);
      } else if (p.type === 'local_shell_call') {
        t.toolCall('local_shell', at, id);
      } else if (p.type === 'web_search_call') {
        t.toolCall('web_search', at, id);
      }
    });
    if (skipped) this.logger.debug({ file: file.path, skipped }, 'codex rollout: lines that are not JSON skipped');
    if (!mine || !meta || typeof (meta as { id?: unknown }).id !== 'string' || t.messageCount === 0) return null;
    return {
      id: (meta as { id: string }).id,
      agent_type: this.tool,
      title: sessionTitle(null, t.firstUserText),
      created_at: t.createdAt,
      updated_at: t.updatedAt ?? new Date(file.mtimeMs).toISOString(),
      message_count: t.messageCount,
      tool_usage: t.toolUsage,
      messages: t.messages(),
    };
  }
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  return content
    .filter((c) => typeof c?.text === 'string' && (c.type === 'input_text' || c.type === 'output_text' || c.type === 'text'))
    .map((c) => c.text as string)
    .join('\n');
}

/**
 * Codex also sends the environment context and instructions as `user` messages. 0.169 marks
 * each content item's provenance (`user` for what the person typed); older rollouts have no
 * marks, so their injected blocks are recognised by the tag they start with.
 */
function fromUser(p: any): boolean {
  const marks = p.internal_chat_message_metadata_passthrough?.content_item_metadata;
  if (Array.isArray(marks) && marks.length > 0) return marks.some((m: any) => m?.provenance?.type === 'user');
  return !/^\s*<(environment_context|user_instructions|permissions|skills_instructions|INSTRUCTIONS)\b/.test(contentText(p.content));
}
