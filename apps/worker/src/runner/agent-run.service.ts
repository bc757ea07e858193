import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { BUILTIN_AGENT_TYPES, type ClaimResponse, type FailureReason, type TaskJob } from '#contracts';
import type { Redactor } from '#domain';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ApiError } from '../control-plane/http-transport';
import { FencedError, OutputStreamer } from '../output/output-streamer';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import type { CancelReason } from '../tasks/running-tasks';
import { REDACTOR, WORKER_CONFIG } from '../tokens';
import type { AgentAdapter, AgentEvent, LaunchSpec } from '../tools/agent-adapter';
import { ToolCatalog } from '../tools/tool-catalog';
import { AgentRegistry } from './agent-registry';
import { buildChildEnv } from './child-env';
import { type AgentProcess, type ProcessExit, ProcessRunner } from './process-runner';
import { capTail, type RunOutcome } from './run-outcome';
import { effectiveIdleTimeoutS, IdleWatchdog } from './watchdog';

/** A run in progress: its end, and the two ways to stop it. */
export interface ActiveRun {
  readonly outcome: Promise<RunOutcome>;
  cancel(reason: CancelReason): void;
  kill(): void;
}

/** Starts claimed tasks: resolves the codebase and the tool, spawns the agent, streams its output. */
@Injectable()
export class AgentRunService {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly tools: ToolCatalog,
    private readonly runner: ProcessRunner,
    private readonly client: ControlPlaneClient,
    private readonly codebases: CodebaseDirectory,
    @Inject(REDACTOR) private readonly redactor: Redactor,
    @Optional() private readonly registry?: AgentRegistry,
  ) {}

  start(task: TaskJob, claim: Pick<ClaimResponse, 'attempt' | 'output_offset'>, log: Logger): ActiveRun {
    const run = new AgentRun(task, claim, log, this.config, this.tools, this.runner, this.client, this.codebases, this.redactor, this.registry);
    return { outcome: run.execute(), cancel: (r) => run.cancel(r), kill: () => run.kill() };
  }
}

const TAIL_LINES = 40;

/** Why a watchdog stopped the agent: the wall-clock limit, silence, or a hang after its result. */
type WatchdogStop = 'timeout' | 'idle_timeout' | 'post_result';

class AgentRun {
  private readonly output: OutputStreamer;
  private proc: AgentProcess | null = null;
  private cancelReason: CancelReason | null = null;
  private stoppedBy: WatchdogStop | null = null;
  private postResultTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private sessionId: string | null = null;
  private sessionUpdate: Promise<void> = Promise.resolve();
  private readonly tail: string[] = [];
  private lastStderr: string | null = null;
  private lastError: string | null = null;
  private explicitResult: string | null = null;
  private readonly texts: { text: string; messageId?: string }[] = [];
  private fencedReason: string | null = null;

  constructor(
    private readonly task: TaskJob,
    private readonly claim: Pick<ClaimResponse, 'attempt' | 'output_offset'>,
    private readonly log: Logger,
    private readonly config: WorkerConfig,
    private readonly tools: ToolCatalog,
    private readonly runner: ProcessRunner,
    private readonly client: ControlPlaneClient,
    private readonly codebases: CodebaseDirectory,
    private readonly redactor: Redactor,
    private readonly registry: AgentRegistry | undefined,
  ) {
    this.output = new OutputStreamer({
      startOffset: claim.output_offset,
      redactor,
      send: async (chunk, signal) => {
        try {
          await client.sendOutput(task.task_id, { worker_id: config.workerId, attempt: claim.attempt, ...chunk }, signal, task.correlation_id);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          // 409 stale attempt / another worker, 404/410 task gone: this run is over for the API.
          if ([404, 409, 410].includes(err.status)) throw new FencedError(err);
          // Another refusal would repeat forever: drop this chunk and go on.
          if (err.status < 500) log.warn({ err: err.message, offset: chunk.offset }, 'output chunk refused; dropped');
          else throw err;
        }
      },
      onFenced: (err) => this.fence(err.message),
      onError: (err) => log.warn({ err: err.message }, 'output could not be delivered'),
    });
  }

  cancel(reason: CancelReason): void {
    if (this.finished || this.cancelReason) return;
    this.cancelReason = reason;
    this.log.info({ reason }, 'stopping the agent (SIGTERM to its process group)');
    void this.proc?.terminate(this.config.cancelGraceS * 1000);
  }

  kill(): void {
    this.cancelReason ??= 'worker_shutdown';
    this.proc?.kill();
  }

  async execute(): Promise<RunOutcome> {
    let outcome: RunOutcome;
    try {
      outcome = await this.run();
    } catch (err) {
      this.log.error({ err }, 'the worker failed while running the task');
      outcome = this.failed('internal', `worker error: ${(err as Error).message}`);
    }
    this.finished = true;
    await this.output.close();
    await this.sessionUpdate;
    if (this.fencedReason) return { status: 'lost', reason: this.fencedReason };
    // Truncation is known only after the final flush.
    return outcome.status === 'lost' ? outcome : { ...outcome, output_truncated: this.output.truncated };
  }

  private async run(): Promise<RunOutcome> {
    const codebasePath = await this.codebasePath();
    if (codebasePath === null) return this.failed('invalid_codebase', this.missingCodebaseMessage());

    if ((BUILTIN_AGENT_TYPES as readonly string[]).includes(this.task.agent_type)) {
      if (this.task.agent_type === 'echo' && this.task.prompt) this.write(`${this.task.prompt}\n`);
      return this.completed(this.task.agent_type === 'echo' ? this.task.prompt : '');
    }

    const toolName = this.task.tool ?? this.config.defaultTool;
    const adapter = this.tools.resolve(toolName);
    if (typeof adapter === 'string') return this.failed('agent_not_found', adapter);

    let spec: LaunchSpec;
    try {
      spec = adapter.build(this.task, { codebasePath, workerId: this.config.workerId });
    } catch (err) {
      // The task asks for something this tool cannot do (e.g. a session id it cannot resume).
      return this.failed('internal', `cannot start ${adapter.tool}: ${(err as Error).message}`);
    }
    if (!isDirectory(spec.cwd)) {
      return this.failed('invalid_codebase', `working directory ${spec.cwd} does not exist on worker ${this.config.workerId}`);
    }
    if (this.cancelReason) return this.cancelled();

    this.log.info({ tool: adapter.tool, command: spec.command, cwd: spec.cwd }, 'starting agent');
    const idleS = this.idleTimeoutS();
    const idle = idleS > 0 ? new IdleWatchdog(idleS * 1000, () => this.stopBy('idle_timeout', { idle_timeout_s: idleS }, 'no output; stopping the agent')) : null;
    this.proc = this.runner.spawn(
      { ...spec, env: buildChildEnv(process.env, spec.cwd, spec.env) },
      (stream, line) => this.onLine(adapter, stream, line),
      () => idle?.feed(),
    );
    // The pid leads the agent's process group: what an operator (or a test) needs to find its processes.
    this.log.info({ pid: this.proc.pid, idle_timeout_s: idleS }, 'agent process started');
    this.track(this.proc, codebasePath);
    if (this.cancelReason) void this.proc.terminate(this.config.cancelGraceS * 1000);

    let timer: NodeJS.Timeout | undefined;
    const timeoutS = this.task.timeout_s;
    if (timeoutS) timer = setTimeout(() => this.stopBy('timeout', { timeout_s: timeoutS }, 'task timed out; stopping the agent'), timeoutS * 1000);
    let exit: ProcessExit;
    try {
      exit = await this.proc.done;
    } finally {
      clearTimeout(timer);
      clearTimeout(this.postResultTimer);
      idle?.stop();
    }
    this.log.info({ exit_code: exit.code, signal: exit.signal }, 'agent exited');
    for (const event of adapter.finish?.() ?? []) this.onEvent(event);
    return this.outcomeOf(exit, spec, adapter);
  }

  private outcomeOf(exit: ProcessExit, spec: LaunchSpec, adapter: AgentAdapter): RunOutcome {
    if (exit.spawnError) {
      const code = exit.spawnError.code;
      const message = `cannot run ${spec.command}: ${code ?? exit.spawnError.message}`;
      return this.failed(code === 'ENOENT' || code === 'EACCES' ? 'agent_not_found' : 'internal', message);
    }
    if (this.cancelReason) return this.cancelled();
    if (this.stoppedBy === 'timeout') return this.failed('timeout', `timed out after ${this.task.timeout_s} s`);
    if (this.stoppedBy === 'idle_timeout') return this.failed('idle_timeout', `no output for ${this.idleTimeoutS()} s; the agent was stopped`);
    // The agent hung after its final result: that result is the task's.
    if (this.stoppedBy === 'post_result') return this.completed(this.resultText());
    const failedAnyway = exit.code === 0 ? (adapter.exitError?.(exit.code) ?? null) : null;
    if (failedAnyway) return { ...this.failed('agent_exit_nonzero', `agent exited with code 0 after an error: ${failedAnyway}`), exit_code: 0 };
    if (exit.code === 0) return this.completed(this.resultText());
    if (exit.signal) return this.failed('agent_exit_nonzero', `agent was killed by signal ${exit.signal}`);
    // The agent's own error event says more than whatever it last printed on stderr (often start-up noise).
    const detail = this.lastError ?? this.lastStderr;
    return { ...this.failed('agent_exit_nonzero', `agent exited with code ${exit.code}${detail ? `: ${detail}` : ''}`), exit_code: exit.code ?? undefined };
  }

  private onLine(adapter: AgentAdapter, stream: 'stdout' | 'stderr', line: string): void {
    if (stream === 'stderr') {
      if (line.trim() !== '') this.lastStderr = line.trim();
      this.write(`${line}\n`);
      return;
    }
    let events: AgentEvent[];
    try {
      events = adapter.parseLine(line);
    } catch {
      events = [{ type: 'output', text: line }];
    }
    for (const event of events) this.onEvent(event);
  }

  private onEvent(event: AgentEvent): void {
    switch (event.type) {
      case 'session_started':
        if (this.sessionId === null) this.reportSession(event.session_id);
        break;
      case 'text':
        this.texts.push({ text: event.text, messageId: event.message_id });
        this.write(`${event.text}\n`);
        break;
      case 'tool_call':
        this.write(`▸ ${event.name}${event.title ? `: ${event.title}` : ''}${event.status === 'error' ? ' (failed)' : ''}\n`);
        break;
      case 'usage':
        this.log.debug({ usage: event }, 'agent usage');
        break;
      case 'result':
        this.explicitResult = event.text;
        this.armPostResult();
        break;
      case 'error':
        this.lastError = event.message;
        this.write(`[error] ${event.message}\n`);
        break;
      case 'output':
        this.write(`${event.text}\n`);
        break;
    }
  }

  /** Recorded while its group lives, so a worker restarted after a crash can stop it; off the dispatch path. */
  private track(proc: AgentProcess, codebasePath: string): void {
    const registry = this.registry;
    if (!registry || proc.pid === undefined) return;
    registry.record({ task_id: this.task.task_id, attempt: this.claim.attempt, pid: proc.pid, codebase_path: codebasePath });
    void proc.groupGone.then(() => registry.remove(this.task.task_id, this.claim.attempt));
  }

  /** The task's own metadata.idle_timeout_s (0: off) beats the worker's idle_timeout_s. */
  private idleTimeoutS(): number {
    return effectiveIdleTimeoutS(this.task, this.config.idleTimeoutS);
  }

  /** A watchdog fired: stop the agent the way a cancel does, once, unless it is already being stopped. */
  private stopBy(reason: WatchdogStop, detail: Record<string, unknown>, message: string): void {
    if (this.finished || this.cancelReason || this.fencedReason || this.stoppedBy) return;
    this.stoppedBy = reason;
    this.log.warn(detail, message);
    void this.proc?.terminate(this.config.cancelGraceS * 1000);
  }

  /** Some CLIs linger after their final result event: give them `post_result_grace_s` to exit. */
  private armPostResult(): void {
    const graceS = this.config.postResultGraceS;
    if (graceS <= 0 || this.postResultTimer) return;
    this.postResultTimer = setTimeout(
      () => this.stopBy('post_result', { post_result_grace_s: graceS }, 'agent still running after its final result; stopping it and completing the task'),
      graceS * 1000,
    );
  }

  /** The session id goes to the API the moment it appears (email replies resume it). */
  private reportSession(sessionId: string): void {
    this.sessionId = sessionId;
    this.log.info({ session_id: sessionId }, 'agent session started');
    this.sessionUpdate = this.client
      .updateStatus(
        this.task.task_id,
        { worker_id: this.config.workerId, attempt: this.claim.attempt, status: 'running', session_id: sessionId },
        this.task.correlation_id,
      )
      .catch((err: Error) => {
        if (err instanceof ApiError && err.status === 409) this.fence(err.message);
        else this.log.warn({ err: err.message }, 'could not report the session id');
      });
  }

  private fence(reason: string): void {
    if (this.fencedReason) return;
    this.fencedReason = reason;
    this.log.warn({ reason }, 'the control plane no longer accepts this run; stopping the agent');
    this.output.discard();
    void this.proc?.terminate(this.config.cancelGraceS * 1000);
  }

  private write(text: string): void {
    this.output.write(text);
    for (const line of text.split('\n').slice(0, -1)) {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    }
  }

  /** The adapter's result, else the text of the agent's last message, else the last lines of output. */
  private resultText(): string {
    if (this.explicitResult !== null) return this.explicitResult;
    if (this.texts.length > 0) {
      const lastId = this.texts[this.texts.length - 1].messageId;
      const last = lastId === undefined ? this.texts : this.texts.filter((t) => t.messageId === lastId);
      return last.map((t) => t.text).join('\n');
    }
    return this.tail.join('\n').trim();
  }

  private async codebasePath(): Promise<string | null> {
    if (this.task.codebase_id === null) return homedir();
    let path = this.codebases.get(this.task.codebase_id)?.path;
    if (!path) {
      const view = await this.client.getCodebase(this.task.codebase_id).catch(() => null);
      if (view) {
        this.codebases.add({ id: view.id, name: view.name, path: view.path });
        path = view.path;
      }
    }
    return path && isDirectory(path) ? path : null;
  }

  private missingCodebaseMessage(): string {
    const path = this.task.codebase_id ? this.codebases.get(this.task.codebase_id)?.path : undefined;
    return path
      ? `codebase ${this.task.codebase_id} path ${path} does not exist on worker ${this.config.workerId}`
      : `codebase ${this.task.codebase_id} is not known to worker ${this.config.workerId}`;
  }

  private completed(result: string): RunOutcome {
    return { status: 'completed', result: capTail(this.redactor.redact(result)), output_truncated: false };
  }

  private failed(reason: FailureReason, error: string): Extract<RunOutcome, { status: 'failed' }> {
    const message = capTail(this.redactor.redact(error));
    if (reason !== 'agent_exit_nonzero') this.write(`[codefleet] ${message}\n`);
    return { status: 'failed', failure_reason: reason, error: message, output_truncated: false };
  }

  private cancelled(): RunOutcome {
    const reason = this.cancelReason ?? 'cancelled';
    const error = reason === 'worker_shutdown' ? `worker ${this.config.workerId} shut down before the task finished` : 'cancelled on request';
    this.write(`[codefleet] ${error}\n`);
    return { status: 'cancelled', failure_reason: reason, error, output_truncated: false };
  }
}

/**
 * Synchronous on purpose: a stat of a local directory takes microseconds, while a round trip
 * through libuv's thread pool costs a fraction of a millisecond (more under load) on the dispatch path.
 * The trade-off: a codebase on a hung network mount blocks the whole daemon for the stat (a spawn
 * there would hang anyway); codebases are expected on local disks.
 */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
