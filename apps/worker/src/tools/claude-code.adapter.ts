import type { TaskJob } from '#contracts';
import type { AdapterContext, AgentAdapter, AgentEvent, LaunchSpec } from './agent-adapter';
import { num, obj, readJsonEventLine, str } from './json-events';

/**
 * Keeps a headless Claude Code on the configured API only: no telemetry, error reporting,
 * auto-update or other non-essential traffic (test/model-server/README.md).
 */
export const CLAUDE_CODE_OFFLINE_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
};

/** agent_type values that mean "the CLI's normal mode" rather than a named agent. */
const DEFAULT_AGENT_TYPES = new Set(['build', 'default', '']);

/** Event types that carry nothing a person following the task needs to see. */
const SILENT_TYPES = new Set(['user', 'stream_event', 'rate_limit_event']);

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Claude Code: `claude -p --output-format stream-json --verbose --permission-mode
 * bypassPermissions [--agent A] [--model M] [--resume ID] -- PROMPT`. Its stdout is one JSON object per
 * line: `system/init` (session_id), `assistant` (one content block each), `user` (tool
 * results), `result` (`is_error`, `result`).
 */
export class ClaudeCodeAdapter implements AgentAdapter {
  readonly tool = 'claude_code';

  /** `root`: whether the worker runs as root (bypassPermissions then needs IS_SANDBOX=1). */
  constructor(
    private readonly bin: string,
    private readonly root: boolean = isRoot(),
  ) {}

  build(task: TaskJob, ctx: AdapterContext): LaunchSpec {
    const args = ['-p', '--output-format', 'stream-json', '--verbose'];
    if (task.agent_type === 'plan') args.push('--permission-mode', 'plan');
    else {
      args.push('--permission-mode', 'bypassPermissions');
      if (!DEFAULT_AGENT_TYPES.has(task.agent_type)) args.push('--agent', task.agent_type);
    }
    if (task.model) args.push('--model', task.model);
    if (task.resume_session_id) args.push('--resume', task.resume_session_id);
    // `-p` is a switch and the prompt an argument: after `--`, a prompt starting with "-" is never read as a flag.
    args.push('--', task.prompt);
    const env: Record<string, string> = { ...CLAUDE_CODE_OFFLINE_ENV };
    if (this.root) env.IS_SANDBOX = '1';
    return { command: this.bin, args, env, cwd: ctx.codebasePath };
  }

  parseLine(line: string): AgentEvent[] {
    const read = readJsonEventLine(line);
    if (Array.isArray(read)) return read;
    const { event, type } = read;

    const out: AgentEvent[] = [];
    const sessionId = str(event.session_id);
    if (sessionId) out.push({ type: 'session_started', session_id: sessionId });

    switch (type) {
      case 'system': {
        const subtype = str(event.subtype);
        if (subtype === 'init') break;
        if (subtype === 'api_retry') {
          const status = num(event.error_status);
          out.push({ type: 'output', text: `API error${status ? ` ${status}` : ''}, retrying (attempt ${num(event.attempt) ?? '?'} of ${num(event.max_retries) ?? '?'})` });
          break;
        }
        out.push({ type: 'output', text: line });
        break;
      }
      case 'assistant': {
        const message = obj(event.message);
        const content = Array.isArray(message?.content) ? message.content : [];
        const messageId = str(message?.id);
        for (const raw of content) {
          const block = obj(raw);
          const blockType = str(block?.type);
          if (blockType === 'text') {
            const text = str(block?.text);
            if (text !== undefined) out.push({ type: 'text', text, message_id: messageId });
          } else if (blockType === 'tool_use') {
            const input = obj(block?.input);
            const title =
              str(input?.command) ?? str(input?.file_path) ?? str(input?.path) ?? str(input?.pattern) ?? str(input?.url) ?? str(input?.description);
            out.push({ type: 'tool_call', name: str(block?.name) ?? 'tool', title });
          }
          // thinking and other blocks: nothing to show.
        }
        break;
      }
      case 'result': {
        const usage = obj(event.usage);
        if (usage || event.total_cost_usd !== undefined) {
          out.push({ type: 'usage', input_tokens: num(usage?.input_tokens), output_tokens: num(usage?.output_tokens), cost: num(event.total_cost_usd) });
        }
        const text = typeof event.result === 'string' ? event.result : '';
        if (event.is_error === true || (str(event.subtype) ?? 'success') !== 'success') {
          const errors = Array.isArray(event.errors) ? event.errors.filter((e): e is string => typeof e === 'string') : [];
          out.push({ type: 'error', message: str(text) ?? (errors.join('; ') || `claude ended with ${str(event.subtype) ?? 'an error'}`) });
        } else {
          out.push({ type: 'result', text });
        }
        break;
      }
      default:
        if (!SILENT_TYPES.has(type)) out.push({ type: 'output', text: line });
    }
    return out;
  }
}
