import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SESSION_SYNC_LIMITS, type SyncedSession } from '#contracts';
import type { Logger } from 'pino';
import { SessionFileCache } from './session-file-cache';
import { byUpdatedDesc, type ListOptions, type SessionReader } from './session-reader';
import { newestFiles, pathVariants, readJsonLines } from './store-files';
import { isoTime, sessionTitle, TranscriptBuilder } from './transcript';

/** User turns Gemini CLI itself injects or treats as commands (its own `isIgnoredUserContent`). */
const IGNORED_USER = /^(\/|\?|<session_context>|<hook_context>)/;

/**
 * A message record as far as the transcript needs it: its text already cut to what a
 * message may carry, its tool calls by name. Function responses and other content are not
 * held while the rest of the file is read.
 */
interface GeminiRecord {
  id: string;
  type: unknown;
  timestamp: unknown;
  text: string;
  tools: string[];
}

function slimRecord(r: any): GeminiRecord {
  return { id: r.id, type: r.type, timestamp: r.timestamp, text: partsText(r.content).slice(0, SESSION_SYNC_LIMITS.maxMessageText + 1), tools: toolCallNames(r) };
}

/**
 * Gemini CLI 0.61 (`$GEMINI_CLI_HOME`, else `~`) `/.gemini/tmp/<project>/chats/session-<time>-<id8>.jsonl`.
 * `<project>` comes from `~/.gemini/projects.json` (`{projects: {"/abs/cwd": "slug"}}`; the
 * slug is the lower-cased basename with other characters as `-`, `-1`... on a clash), and
 * each project folder holds a `.project_root` file with its path. Older versions used
 * sha256(cwd) as the folder name. A chat file is a log: the first line is the metadata
 * (`sessionId`, `startTime`, `kind`), then message records (`id`, `type` user/gemini/...,
 * `content`, `toolCalls`) where a repeated id replaces the earlier record, `{$set: {...}}`
 * updates (`messages` replaces them all; `lastUpdated`, `summary`), and `{$rewindTo: id}`.
 */
export class GeminiSessionReader implements SessionReader {
  readonly tool = 'gemini';
  /** Parsed chat files, reused while unchanged. */
  readonly cache = new SessionFileCache<SyncedSession | null>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {}

  private get geminiDir(): string {
    return join(this.env.GEMINI_CLI_HOME || this.env.HOME || homedir(), '.gemini');
  }

  async list(codebasePath: string, opts: ListOptions = {}): Promise<SyncedSession[]> {
    const cwds = await pathVariants(codebasePath);
    const projects = await this.projectDirs(cwds);
    const files = (
      await Promise.all(projects.map((p) => newestFiles(join(p, 'chats'), (n) => n.startsWith('session-') && /\.jsonl?$/.test(n), SESSION_SYNC_LIMITS.maxSessions)))
    )
      .flat()
      .sort((a, b) => b.mtimeMs - a.mtimeMs)
      .slice(0, SESSION_SYNC_LIMITS.maxSessions);
    const byId = new Map<string, SyncedSession>();
    const cached = this.cache.begin(codebasePath);
    for (const file of files) {
      if (opts.signal?.aborted) break;
      try {
        const s = await cached.get(file, () => this.readSession(file.path, file.mtimeMs));
        if (s && !byId.has(s.id)) byId.set(s.id, s);
      } catch (err) {
        this.logger.debug({ file: file.path, err: (err as Error).message }, 'gemini chat file unreadable; skipped');
      }
    }
    cached.end(!opts.signal?.aborted);
    return [...byId.values()].sort(byUpdatedDesc);
  }

  /** The project folders of this directory: the registry's slug, any folder whose marker names it, the legacy hash. */
  private async projectDirs(cwds: string[]): Promise<string[]> {
    const tmp = join(this.geminiDir, 'tmp');
    const names = new Set<string>();
    try {
      const registry = JSON.parse(await readFile(join(this.geminiDir, 'projects.json'), 'utf8'));
      for (const cwd of cwds) {
        const slug = registry?.projects?.[cwd];
        if (typeof slug === 'string' && /^[a-z0-9-]+$/.test(slug)) names.add(slug);
      }
    } catch {
      // no registry yet, or being rewritten: the markers below still find the folder
    }
    for (const entry of await readdir(tmp).catch(() => [] as string[])) {
      if (names.has(entry)) continue;
      const owner = await readFile(join(tmp, entry, '.project_root'), 'utf8').catch(() => null);
      if (owner !== null && cwds.includes(owner.trim())) names.add(entry);
    }
    for (const cwd of cwds) names.add(createHash('sha256').update(cwd).digest('hex'));
    return [...names].map((n) => join(tmp, n));
  }

  private async readSession(path: string, mtimeMs: number): Promise<SyncedSession | null> {
    let meta: Record<string, unknown> = {};
    const records = new Map<string, GeminiRecord>();
    const apply = (line: any): void => {
      if (typeof line.$rewindTo === 'string') {
        let found = false;
        for (const id of [...records.keys()]) {
          if (id === line.$rewindTo) found = true;
          if (found) records.delete(id);
        }
        if (!found) records.clear();
      } else if (typeof line.id === 'string') {
        records.set(line.id, slimRecord(line));
      } else if (line.$set && typeof line.$set === 'object') {
        if (Array.isArray(line.$set.messages)) {
          records.clear();
          for (const m of line.$set.messages) if (typeof m?.id === 'string') records.set(m.id, slimRecord(m));
        }
        const { messages: _m, ...rest } = line.$set;
        meta = { ...meta, ...rest };
      } else if (typeof line.sessionId === 'string') {
        const { messages, ...rest } = line;
        meta = { ...meta, ...rest };
        if (Array.isArray(messages)) for (const m of messages) if (typeof m?.id === 'string') records.set(m.id, slimRecord(m));
      }
    };
    if (path.endsWith('.json')) {
      apply(JSON.parse(await readFile(path, 'utf8'))); // the single-document format of older versions
    } else {
      const { skipped } = await readJsonLines(path, (line) => void apply(line));
      if (skipped) this.logger.debug({ file: path, skipped }, 'gemini chat: lines that are not JSON skipped');
    }
    if (typeof meta.sessionId !== 'string' || (meta.kind !== undefined && meta.kind !== 'main')) return null;

    const t = new TranscriptBuilder();
    t.seen(isoTime(meta.startTime));
    for (const r of records.values()) {
      const at = isoTime(r.timestamp);
      t.seen(at);
      if (r.type === 'user') {
        if (!IGNORED_USER.test(r.text.trim())) t.user(r.id, r.text, at);
      } else if (r.type === 'gemini') {
        if (!r.text && r.tools.length === 0) continue;
        t.assistant(r.id, r.text, at);
        for (const name of r.tools) t.toolCall(name, at, r.id, r.id);
      }
    }
    t.seen(isoTime(meta.lastUpdated));
    if (t.messageCount === 0) return null;
    return {
      id: meta.sessionId,
      agent_type: this.tool,
      title: sessionTitle(typeof meta.summary === 'string' ? meta.summary : null, t.firstUserText),
      created_at: isoTime(meta.startTime) ?? t.createdAt,
      updated_at: t.updatedAt ?? new Date(mtimeMs).toISOString(),
      message_count: t.messageCount,
      tool_usage: t.toolUsage,
      messages: t.messages(),
    };
  }
}

/**
 * A record's tool calls: `toolCalls` as a live run writes them, or, after `--resume` rewrote
 * the history with `$set: {messages}`, `functionCall` parts in the content.
 */
function toolCallNames(r: { toolCalls?: unknown; content?: unknown }): string[] {
  const listed = Array.isArray(r.toolCalls) ? r.toolCalls.map((c) => c?.name) : [];
  const parts = Array.isArray(r.content) ? r.content.map((p) => p?.functionCall?.name) : [];
  return (listed.length > 0 ? listed : parts).filter((n): n is string => typeof n === 'string');
}

/** Gemini content: a string, or parts of which the `text` ones count (function responses do not). */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p) => typeof p?.text === 'string' && !p.thought)
    .map((p) => p.text as string)
    .join('');
}
