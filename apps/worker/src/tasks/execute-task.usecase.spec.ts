import type { ClaimResponse, TaskJob, TaskStatusUpdate } from '#contracts';
import pino from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import type { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ApiError, NetworkError } from '../control-plane/http-transport';
import type { ActiveRun, AgentRunService } from '../runner/agent-run.service';
import type { RunOutcome } from '../runner/run-outcome';
import type { SessionSyncService } from '../sessions/session-sync.service';
import { ExecuteTaskUseCase } from './execute-task.usecase';
import { RunningTasks } from './running-tasks';
import { SlotSemaphore } from './slot-semaphore';

const task: TaskJob = {
  task_id: 't1', attempt: 2, codebase_id: 'cb', worker_id: 'w1', title: '', prompt: 'p', agent_type: 'build',
  tool: null, model: null, resume_session_id: null, timeout_s: null, correlation_id: 'c1',
};
const config = { workerId: 'w1', defaultTool: 'opencode' } as WorkerConfig;

function setup(claim: () => Promise<ClaimResponse | null>, outcome: RunOutcome = { status: 'completed', result: 'ok', output_truncated: false }) {
  const updates: TaskStatusUpdate[] = [];
  const client = {
    claim: jest.fn(claim),
    updateStatus: jest.fn(async (_id: string, u: TaskStatusUpdate) => void updates.push(u)),
  } as unknown as ControlPlaneClient;
  let finish!: (o: RunOutcome) => void;
  const cancel = jest.fn();
  const runs = {
    start: jest.fn((): ActiveRun => ({ outcome: new Promise<RunOutcome>((r) => (finish = r)), cancel, kill: jest.fn() })),
  } as unknown as AgentRunService;
  const running = new RunningTasks();
  const slots = new SlotSemaphore(1);
  const usecase = new ExecuteTaskUseCase(config, pino({ level: 'silent' }), client, runs, running, slots);
  return { usecase, client, runs, running, slots, updates, cancel, finish: () => finish(outcome) };
}

describe('ExecuteTaskUseCase', () => {
  it('claims with the job attempt, registers the run, reports with the claim attempt, frees the slot', async () => {
    const s = setup(async () => ({ task: {} as ClaimResponse['task'], attempt: 3, output_offset: 0 }));
    const done = s.usecase.execute(task);
    await new Promise((r) => setImmediate(r));
    expect(s.client.claim).toHaveBeenCalledWith('t1', 'w1', 2, 'c1');
    expect(s.running.refs()).toEqual([{ task_id: 't1', attempt: 3 }]);
    expect(s.slots.available).toBe(0);
    // A cancel for the claim's attempt reaches the run; one for another attempt does not.
    expect(s.running.cancel('t1', 2, 'cancelled')).toBe(false);
    expect(s.running.cancel('t1', 3, 'cancelled')).toBe(true);
    expect(s.cancel).toHaveBeenCalledWith('cancelled');
    s.finish();
    expect(await done).toMatchObject({ kind: 'done' });
    expect(s.updates).toEqual([{ worker_id: 'w1', attempt: 3, status: 'completed', result: 'ok', output_truncated: false }]);
    expect(s.running.size).toBe(0);
    expect(s.slots.available).toBe(1);
  });

  it('a refused claim runs nothing and reports nothing', async () => {
    const s = setup(async () => null);
    expect(await s.usecase.execute(task)).toEqual({ kind: 'dropped' });
    expect(s.runs.start).not.toHaveBeenCalled();
    expect(s.client.updateStatus).not.toHaveBeenCalled();
    expect(s.slots.available).toBe(1);
  });

  it('an unreachable control plane at claim time gives the job back for later', async () => {
    const s = setup(async () => {
      throw new NetworkError('PUT', '/x', new Error('ECONNREFUSED'));
    });
    expect(await s.usecase.execute(task)).toMatchObject({ kind: 'claim_failed' });
    expect(s.slots.available).toBe(1);
  });

  it('waits for a slot before claiming, and gives up the wait at shutdown', async () => {
    const s = setup(async () => ({ task: {} as ClaimResponse['task'], attempt: 3, output_offset: 0 }));
    const held = s.slots.tryAcquire()!;
    const ac = new AbortController();
    const waiting = s.usecase.execute(task, { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    expect(s.client.claim).not.toHaveBeenCalled();
    ac.abort();
    expect(await waiting).toEqual({ kind: 'not_started' });
    held();
  });

  it('failure details go into the report; a 409 on the report is logged, not thrown', async () => {
    const s = setup(async () => ({ task: {} as ClaimResponse['task'], attempt: 1, output_offset: 0 }), {
      status: 'failed', failure_reason: 'agent_exit_nonzero', error: 'agent exited with code 3', exit_code: 3, output_truncated: true,
    });
    (s.client.updateStatus as jest.Mock).mockImplementationOnce(async (_id: string, u: TaskStatusUpdate) => {
      s.updates.push(u);
      throw new ApiError('PUT', '/x', 409, { message: 'task already cancelled' });
    });
    const done = s.usecase.execute(task);
    await new Promise((r) => setImmediate(r));
    s.finish();
    expect(await done).toMatchObject({ kind: 'done' });
    expect(s.updates).toEqual([
      { worker_id: 'w1', attempt: 1, status: 'failed', failure_reason: 'agent_exit_nonzero', error: 'agent exited with code 3', exit_code: 3, output_truncated: true },
    ]);
  });
  it('after reporting, asks for a prompt session sync of the codebase (agent runs only)', async () => {
    const syncSoon = jest.fn();
    const sessions = { syncSoon } as unknown as SessionSyncService;
    for (const agentType of ['build', 'echo']) {
      const s = setup(async () => ({ task: {} as ClaimResponse['task'], attempt: 1, output_offset: 0 }));
      const usecase = new ExecuteTaskUseCase(config, pino({ level: 'silent' }), s.client, s.runs, s.running, s.slots, sessions);
      const done = usecase.execute({ ...task, agent_type: agentType, tool: 'claude_code' });
      await new Promise((r) => setImmediate(r));
      s.finish();
      await done;
    }
    expect(syncSoon.mock.calls).toEqual([['cb', 'claude_code']]);
  });
});
