import type { TaskJob } from '#contracts';
import type { AdapterContext, AgentAdapter, AgentEvent, LaunchSpec } from './agent-adapter';
import { type Json, obj, str, num } from './json-events';

/** agent_type values that map to Gemini CLI's approval modes; anything else runs in yolo. */
const APPROVAL_MODES: Record<string, string> = { plan: 'plan', auto_edit: 'auto_edit' };

/**
 * Gemini CLI: `gemini --prompt=PROMPT --output-format stream-json --approval-mode yolo
 * [-m M] [--resume ID]`, with `GEMINI_CLI_TRUST_WORKSPACE=true` (in an untrusted folder yolo
 * is silently downgraded to prompting, which headless mode cannot answer). Its stdout is one
 * JSON object per line: `init` (session_id), `message` (role user/assistant; assistant text
 * arrives as `delta` chunks), `tool_use`, `tool_result`, `result` (status success/error).
 *
 * Holds state for one run (the assistant text being streamed): the catalog makes one per task.
 */
export class GeminiAdapter implements AgentAdapter {
  readonly tool = 'gemini';
  /** Assistant deltas since the last other event, shown as one text when the message ends. */
  private pending = '';
  private messageNo = 0;
  private lastMessage: string | null = null;

  constructor(private readonly bin: string) {}

  build(task: TaskJob, ctx: AdapterContext): LaunchSpec {
    // `--prompt=` so a prompt that starts with "-" is never read as a flag.
    const args = [`--prompt=${task.prompt}`, '--output-format', 'stream-json', '--approval-mode', APPROVAL_MODES[task.agent_type] ?? 'yolo'];
    if (task.model) args.push('-m', task.model);
    if (task.resume_session_id) args.push('--resume', task.resume_session_id);
    return { command: this.bin, args, env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' }, cwd: ctx.codebasePath };
  }

  parseLine(line: string): AgentEvent[] {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return trimmed === '' ? [] : [...this.flush(), { type: 'output', text: line }];
    let event: Json | undefined;
    try {
      event = obj(JSON.parse(trimmed));
    } catch {
      event = undefined;
    }
    const type = str(event?.type);
    if (!event || !type) return [...this.flush(), { type: 'output', text: line }];

    if (type === 'message' && event.role === 'assistant') {
      const text = typeof event.content === 'string' ? event.content : '';
      if (event.delta === true) {
        this.pending += text;
        return [];
      }
      return [...this.flush(), ...this.text(text)];
    }

    const out: AgentEvent[] = this.flush();
    switch (type) {
      case 'init': {
        const id = str(event.session_id);
        if (id) out.push({ type: 'session_started', session_id: id });
        break;
      }
      case 'message':
        break; // the user's prompt, echoed
      case 'tool_use': {
        const params = obj(event.parameters);
        const title = str(params?.command) ?? str(params?.file_path) ?? str(params?.dir_path) ?? str(params?.path) ?? str(params?.pattern) ?? str(params?.url);
        out.push({ type: 'tool_call', name: str(event.tool_name) ?? 'tool', title });
        break;
      }
      case 'tool_result':
        if (event.status === 'error') {
          const error = obj(event.error);
          out.push({ type: 'output', text: `tool failed: ${str(error?.message) ?? str(event.output) ?? str(event.tool_id) ?? 'unknown error'}` });
        }
        break;
      case 'result': {
        const stats = obj(event.stats);
        if (stats) out.push({ type: 'usage', input_tokens: num(stats.input_tokens), output_tokens: num(stats.output_tokens) });
        if (event.status === 'success') out.push({ type: 'result', text: this.lastMessage ?? '' });
        else out.push({ type: 'error', message: geminiErrorMessage(str(obj(event.error)?.message)) ?? `gemini ended with status ${str(event.status) ?? 'unknown'}` });
        break;
      }
      case 'error':
        out.push({ type: 'error', message: str(event.message) ?? str(obj(event.error)?.message) ?? 'gemini reported an error' });
        break;
      default:
        out.push({ type: 'output', text: line });
    }
    return out;
  }

  private flush(): AgentEvent[] {
    if (this.pending === '') return [];
    const text = this.pending;
    this.pending = '';
    return this.text(text);
  }

  private text(text: string): AgentEvent[] {
    if (text.trim() === '') return [];
    this.messageNo += 1;
    this.lastMessage = text;
    return [{ type: 'text', text, message_id: `gemini-${this.messageNo}` }];
  }
}

/** `[API Error: {"error":{"code":400,"message":"..."}}]` -> the API's message. */
export function geminiErrorMessage(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const m = /^\[API Error: (\{.*\})\]$/s.exec(raw.trim());
  if (!m) return raw;
  try {
    const message = str(obj(obj(JSON.parse(m[1]))?.error)?.message);
    return message ? `API Error: ${message}` : raw;
  } catch {
    return raw;
  }
}
