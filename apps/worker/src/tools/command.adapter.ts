import { isAbsolute, resolve } from 'node:path';
import type { TaskJob } from '#contracts';
import type { CommandToolConfig } from '../config/worker-config';
import type { AdapterContext, AgentAdapter, AgentEvent, LaunchSpec } from './agent-adapter';
import { expandArgs } from './placeholders';

/** Any executable configured under `tools`: the task's fields become its arguments; its lines are plain output. */
export class CommandAdapter implements AgentAdapter {
  readonly tool: string;

  constructor(private readonly config: CommandToolConfig) {
    this.tool = config.name;
  }

  build(task: TaskJob, ctx: AdapterContext): LaunchSpec {
    const args = expandArgs(this.config.args, {
      prompt: task.prompt,
      model: task.model,
      session_id: task.resume_session_id,
      task_id: task.task_id,
      title: task.title,
      agent_type: task.agent_type,
      codebase_path: ctx.codebasePath,
    });
    const cwd = this.config.cwd === null ? ctx.codebasePath : isAbsolute(this.config.cwd) ? this.config.cwd : resolve(ctx.codebasePath, this.config.cwd);
    return { command: this.config.command, args, env: { ...this.config.env }, cwd };
  }

  parseLine(line: string): AgentEvent[] {
    return [{ type: 'output', text: line }];
  }
}
