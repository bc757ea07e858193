import type { TaskJob } from '#contracts';
import type { AdapterContext, AgentAdapter, AgentEvent, LaunchSpec } from './agent-adapter';
import { num, obj, readJsonEventLine, str } from './json-events';

/** Event types that carry nothing a person following the task needs to see. */
const SILENT_TYPES = new Set(['step_start', 'reasoning', 'snapshot', 'patch']);

/**
 * OpenCode: `opencode run --format json [--agent A] [-m provider/model] [-s session] -- PROMPT`.
 * Its stdout is one JSON object per line: `{type, timestamp, sessionID, part}` with types
 * step_start, text, tool_use, step_finish and error.
 */
export class OpencodeAdapter implements AgentAdapter {
  readonly tool = 'opencode';

  constructor(private readonly bin: string) {}

  build(task: TaskJob, ctx: AdapterContext): LaunchSpec {
    const args = ['run', '--format', 'json'];
    if (task.agent_type) args.push('--agent', task.agent_type);
    if (task.model) args.push('-m', task.model);
    if (task.resume_session_id) args.push('-s', task.resume_session_id);
    // `--` so a prompt that starts with "-" is never read as a flag.
    args.push('--', task.prompt);
    return { command: this.bin, args, env: {}, cwd: ctx.codebasePath };
  }

  parseLine(line: string): AgentEvent[] {
    const read = readJsonEventLine(line);
    if (Array.isArray(read)) return read;
    const { event, type } = read;

    const out: AgentEvent[] = [];
    const part = obj(event.part);
    const sessionId = str(event.sessionID) ?? str(part?.sessionID);
    if (sessionId) out.push({ type: 'session_started', session_id: sessionId });

    switch (type) {
      case 'text': {
        const text = str(part?.text);
        if (text !== undefined) out.push({ type: 'text', text, message_id: str(part?.messageID) });
        break;
      }
      case 'tool_use': {
        const state = obj(part?.state);
        const input = obj(state?.input);
        const title = str(state?.title) ?? str(input?.command) ?? str(input?.filePath) ?? str(input?.pattern) ?? str(input?.description);
        out.push({ type: 'tool_call', name: str(part?.tool) ?? 'tool', title, status: str(state?.status) });
        break;
      }
      case 'step_finish': {
        const tokens = obj(part?.tokens);
        if (tokens || part?.cost !== undefined) {
          out.push({ type: 'usage', input_tokens: num(tokens?.input), output_tokens: num(tokens?.output), cost: num(part?.cost) });
        }
        break;
      }
      case 'error': {
        const error = obj(event.error);
        const message =
          str(obj(error?.data)?.message) ?? str(error?.message) ?? str(event.message) ?? str(error?.name) ?? 'opencode reported an error';
        out.push({ type: 'error', message });
        break;
      }
      default:
        if (!SILENT_TYPES.has(type)) out.push({ type: 'output', text: line });
    }
    return out;
  }
}
