import type { TaskJob } from '#contracts';
import type { AdapterContext, AgentAdapter, AgentEvent, LaunchSpec } from './agent-adapter';
import { type Json, obj, str, readJsonEventLine, num } from './json-events';

/** Event types that carry nothing a person following the task needs to see. */
const SILENT_TYPES = new Set(['turn.started', 'item.updated']);
/** Item types shown when they complete (started ones would print every tool twice). */
const SILENT_ITEMS = new Set(['reasoning']);

/**
 * Codex reports API failures as the API's error body in a string: show its message.
 * `{"error":{"message":"scripted failure: bad request",...}}` -> `scripted failure: bad request`.
 */
export function codexErrorMessage(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const body = obj(JSON.parse(trimmed));
    return str(obj(body?.error)?.message) ?? str(body?.message) ?? trimmed;
  } catch {
    return trimmed;
  }
}

/**
 * Codex: `codex exec --json --skip-git-repo-check [-m M] -- PROMPT`, or
 * `codex exec --json --skip-git-repo-check [-m M] resume -- THREAD_ID PROMPT`. The provider,
 * approval policy and sandbox come from the operator's `$CODEX_HOME/config.toml`. Its stdout
 * is one JSON object per line: `thread.started` (thread_id), `turn.started`,
 * `item.started`/`item.completed` (agent_message, file_change, command_execution, ...),
 * `turn.completed` (usage) or `turn.failed`, and `error`. There is no result event: the last
 * agent message is the result.
 */
export class CodexAdapter implements AgentAdapter {
  readonly tool = 'codex';

  constructor(private readonly bin: string) {}

  build(task: TaskJob, ctx: AdapterContext): LaunchSpec {
    const args = ['exec', '--json', '--skip-git-repo-check'];
    if (task.model) args.push('-m', task.model);
    // `--` so a prompt that starts with "-" is never read as a flag.
    if (task.resume_session_id) args.push('resume', '--', task.resume_session_id, task.prompt);
    else args.push('--', task.prompt);
    return { command: this.bin, args, env: {}, cwd: ctx.codebasePath };
  }

  parseLine(line: string): AgentEvent[] {
    const read = readJsonEventLine(line);
    if (Array.isArray(read)) return read;
    const { event, type } = read;

    switch (type) {
      case 'thread.started': {
        const id = str(event.thread_id);
        return id ? [{ type: 'session_started', session_id: id }] : [];
      }
      case 'turn.completed': {
        const usage = obj(event.usage);
        return usage ? [{ type: 'usage', input_tokens: num(usage.input_tokens), output_tokens: num(usage.output_tokens) }] : [];
      }
      case 'turn.failed':
        return [{ type: 'error', message: codexErrorMessage(str(obj(event.error)?.message)) ?? 'codex turn failed' }];
      case 'error':
        return [{ type: 'error', message: codexErrorMessage(str(event.message)) ?? 'codex reported an error' }];
      case 'item.started':
      case 'item.completed':
        return this.item(type === 'item.completed', obj(event.item), line);
      default:
        return SILENT_TYPES.has(type) ? [] : [{ type: 'output', text: line }];
    }
  }

  private item(completed: boolean, item: Json | undefined, line: string): AgentEvent[] {
    const itemType = str(item?.type);
    if (!item || !itemType) return [{ type: 'output', text: line }];
    if (SILENT_ITEMS.has(itemType)) return [];
    // Only completed items are shown; a long command is visible once it ends.
    if (!completed) return [];
    const status = str(item.status);
    switch (itemType) {
      case 'agent_message': {
        const text = str(item.text);
        return text === undefined ? [] : [{ type: 'text', text, message_id: str(item.id) }];
      }
      case 'command_execution': {
        const failed = status === 'failed' || (num(item.exit_code) ?? 0) !== 0;
        return [{ type: 'tool_call', name: 'exec_command', title: str(item.command), status: failed ? 'error' : (status ?? 'completed') }];
      }
      case 'file_change': {
        const changes = Array.isArray(item.changes) ? item.changes.map(obj) : [];
        const title = changes.map((c) => [str(c?.kind), str(c?.path)].filter(Boolean).join(' ')).filter(Boolean).join(', ') || undefined;
        return [{ type: 'tool_call', name: 'apply_patch', title, status: status === 'failed' ? 'error' : (status ?? 'completed') }];
      }
      case 'mcp_tool_call':
        return [{ type: 'tool_call', name: [str(item.server), str(item.tool)].filter(Boolean).join('.') || 'mcp', status: status === 'failed' ? 'error' : status }];
      case 'web_search':
        return [{ type: 'tool_call', name: 'web_search', title: str(item.query), status }];
      case 'error':
        // A non-fatal problem the CLI reports as an item (e.g. unknown model metadata).
        return [{ type: 'output', text: `[codex] ${str(item.message) ?? line}` }];
      default:
        return [{ type: 'output', text: line }];
    }
  }
}
