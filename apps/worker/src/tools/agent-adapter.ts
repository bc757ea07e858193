import type { TaskJob } from '#contracts';

/** One normalized event set for every agent CLI (DESIGN 7). */
export type AgentEvent =
  | { type: 'session_started'; session_id: string }
  | { type: 'text'; text: string; message_id?: string }
  | { type: 'tool_call'; name: string; title?: string; status?: string }
  | { type: 'usage'; input_tokens?: number; output_tokens?: number; cost?: number }
  | { type: 'result'; text: string }
  | { type: 'error'; message: string }
  /** A line the adapter does not understand: kept as plain output. */
  | { type: 'output'; text: string };

export interface AdapterContext {
  /** The codebase directory (or the worker's home for worker-global tasks). */
  codebasePath: string;
  workerId: string;
}

/** What to spawn: argv without a shell, the tool's own environment additions, and the cwd. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Turns a task into a process and the process's lines into events. */
export interface AgentAdapter {
  readonly tool: string;
  build(task: TaskJob, ctx: AdapterContext): LaunchSpec;
  /** Called once per complete stdout line (without the newline). */
  parseLine(line: string): AgentEvent[];
  /** The process has exited: events for whatever the adapter still holds back. */
  finish?(): AgentEvent[];
  /** For a CLI that exits 0 after a failed run: why the run failed after all, else null. */
  exitError?(code: number | null): string | null;
}
