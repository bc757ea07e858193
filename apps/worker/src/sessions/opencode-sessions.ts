import { execFile } from 'node:child_process';
import { SESSION_SYNC_LIMITS, type SyncedSession } from '#contracts';
import type { Logger } from 'pino';
import { byUpdatedDesc, type ListOptions, type SessionReader } from './session-reader';
import { opencodeStoreStamp } from './opencode-store-stamp';
import { pathVariants } from './store-files';
import { isoTime, sessionTitle, TranscriptBuilder } from './transcript';

/** `opencode export` takes about 2 s a session: at most this many per sync, the rest next time. */
const EXPORTS_PER_LIST = 10;
const CLI_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * OpenCode 1.18 keeps sessions in SQLite (`$XDG_DATA_HOME/opencode/opencode.db`), so they are
 * read through its CLI, run in the codebase directory with the environment agents get:
 * `opencode session list --format json [-n N]` lists the project's sessions as
 * `[{id, title, updated, created, projectId, directory}]` (epoch ms; the project is the git
 * repository, so `directory` picks this checkout), and `opencode export <id>` prints
 * `{info, messages: [{info: {id, role, time: {created}}, parts: [{type: text|tool|..., text, tool}]}]}`.
 */
export class OpencodeSessionReader implements SessionReader {
  readonly tool = 'opencode';
  /** The last listing per codebase and the store stamp it was made at (see opencodeStoreStamp). */
  private readonly lastListing = new Map<string, { stamp: string; sessions: SyncedSession[] }>();

  constructor(
    private readonly bin: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {}

  async list(codebasePath: string, opts: ListOptions = {}): Promise<SyncedSession[]> {
    const cwds = await pathVariants(codebasePath);
    const stamp = opencodeStoreStamp(this.env, cwds);
    const last = this.lastListing.get(codebasePath);
    if (stamp !== null && last?.stamp === stamp) return last.sessions;
    const { sessions, complete } = await this.listWithCli(codebasePath, cwds, opts);
    // Kept only when every changed session got its messages; otherwise ask the CLI next time.
    if (stamp !== null && complete) this.lastListing.set(codebasePath, { stamp, sessions });
    else this.lastListing.delete(codebasePath);
    return sessions;
  }

  private async listWithCli(codebasePath: string, cwds: string[], opts: ListOptions): Promise<{ sessions: SyncedSession[]; complete: boolean }> {
    const raw = await this.run(['session', 'list', '--format', 'json', '-n', String(SESSION_SYNC_LIMITS.maxSessions)], codebasePath, opts.signal);
    let listed: unknown;
    try {
      // The JSON array, past anything a plugin or warning printed before it.
      const start = raw.indexOf('[');
      listed = start < 0 && !raw.trim() ? [] : JSON.parse(raw.slice(start));
    } catch {
      this.logger.debug({ codebase_path: codebasePath, output: raw.slice(0, 200) }, 'opencode session list printed no JSON');
      return { sessions: [], complete: false };
    }
    const sessions: SyncedSession[] = (Array.isArray(listed) ? listed : [])
      .filter((s) => typeof s?.id === 'string' && (typeof s.directory !== 'string' || cwds.includes(s.directory)))
      .map((s) => ({
        id: s.id as string,
        agent_type: this.tool,
        title: sessionTitle(typeof s.title === 'string' ? s.title : null, null),
        created_at: isoTime(s.created),
        updated_at: isoTime(s.updated),
      }))
      .sort(byUpdatedDesc)
      .slice(0, SESSION_SYNC_LIMITS.maxSessions);

    const changed = sessions.filter((s) => !opts.isUnchanged?.(s.id, s.updated_at ?? null));
    const wanted = changed.slice(0, EXPORTS_PER_LIST);
    let exported = 0;
    // Two at a time: each export is a process that opens the database.
    for (let i = 0; i < wanted.length && !opts.signal?.aborted; i += 2) {
      const done = await Promise.all(wanted.slice(i, i + 2).map((s) => this.addMessages(s, codebasePath, opts.signal)));
      exported += done.filter(Boolean).length;
    }
    return { sessions, complete: exported === changed.length };
  }

  /** False when the export failed (the session is then listed without messages). */
  private async addMessages(session: SyncedSession, cwd: string, signal?: AbortSignal): Promise<boolean> {
    let exported: any;
    try {
      const out = await this.run(['export', session.id], cwd, signal);
      exported = JSON.parse(out.slice(out.indexOf('{')));
    } catch (err) {
      this.logger.debug({ session_id: session.id, err: (err as Error).message }, 'opencode export failed; session listed without messages');
      return false;
    }
    const t = new TranscriptBuilder();
    for (const m of Array.isArray(exported?.messages) ? exported.messages : []) {
      const info = m?.info ?? {};
      const id = typeof info.id === 'string' ? info.id : `${t.messageCount}`;
      const at = isoTime(info.time?.created);
      t.seen(at);
      const parts: any[] = Array.isArray(m?.parts) ? m.parts : [];
      const text = parts
        .filter((p) => p?.type === 'text' && typeof p.text === 'string' && !p.synthetic)
        .map((p) => p.text as string)
        .join('\n');
      if (info.role === 'user') {
        t.user(id, text, at);
      } else if (info.role === 'assistant') {
        const tools = parts.filter((p) => p?.type === 'tool' && typeof p.tool === 'string');
        if (!text && tools.length === 0) continue;
        t.assistant(id, text, at);
        for (const p of tools) t.toolCall(p.tool, at, id, id);
      }
    }
    session.title = sessionTitle(session.title ?? exported?.info?.title, t.firstUserText);
    session.message_count = t.messageCount;
    session.tool_usage = t.toolUsage;
    session.messages = t.messages();
    return true;
  }

  private run(args: string[], cwd: string, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const opts = { cwd, env: { ...this.env, PWD: cwd }, timeout: CLI_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8' as const, signal };
      const child = execFile(this.bin, args, opts, (err, stdout) => {
        if (err) reject(err);
        else resolve(stdout);
      });
      child.stdin?.end(); // nothing to read: a CLI waiting for input would hang the sync
    });
  }
}
