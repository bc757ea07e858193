import type { ClaimResponse, HeartbeatResponse, RegisterWorkerResponse, RunningTaskRef } from '#contracts';
import type { TestApi } from './api-harness';

/** A worker daemon reduced to its HTTP calls, for driving the API in tests. */
export class FakeWorker {
  readonly running: RunningTaskRef[] = [];

  constructor(
    private readonly api: TestApi,
    readonly id: string,
    readonly tools: string[] = ['opencode', 'claude'],
    private readonly prefix = '/v1/agent',
  ) {}

  async register(): Promise<RegisterWorkerResponse> {
    const res = await this.api
      .post(`${this.prefix}/workers/register`, {
        worker_id: this.id,
        name: `${this.id}-name`,
        hostname: `${this.id}.test`,
        capabilities: ['opencode', 'build'],
        agents: this.tools.map((name) => ({ name, version: '1.0.0', bin: `/usr/bin/${name}` })),
        max_concurrent: 2,
        version: '0.1.0',
      })
      .expect(200);
    return res.body as RegisterWorkerResponse;
  }

  async heartbeat(running: RunningTaskRef[] = this.running): Promise<HeartbeatResponse> {
    const res = await this.api.post(`${this.prefix}/workers/${this.id}/heartbeat`, { resources: { cpu_percent: 5 }, running_tasks: running }).expect(200);
    return res.body as HeartbeatResponse;
  }

  async addCodebase(path: string, name = 'proj'): Promise<{ id: string }> {
    const res = await this.api.post(`${this.prefix}/codebases`, { name, path, description: 'test codebase', worker_id: this.id }).expect(201);
    return res.body as { id: string };
  }

  /** Claims at the job's attempt; returns the claim (status 200) or throws with the status. */
  async claim(taskId: string, attempt = 0): Promise<ClaimResponse> {
    const res = await this.api.put(`${this.prefix}/tasks/${taskId}/status`, { worker_id: this.id, attempt, status: 'running' });
    if (res.status !== 200) throw new Error(`claim of ${taskId} answered ${res.status}: ${JSON.stringify(res.body)}`);
    const claim = res.body as ClaimResponse;
    this.running.push({ task_id: taskId, attempt: claim.attempt });
    return claim;
  }

  output(taskId: string, attempt: number, offset: number, data: string) {
    return this.api.post(`${this.prefix}/tasks/${taskId}/output`, { worker_id: this.id, attempt, offset, data });
  }

  report(taskId: string, attempt: number, status: string, extra: Record<string, unknown> = {}) {
    const i = this.running.findIndex((r) => r.task_id === taskId);
    if (i >= 0 && status !== 'running') this.running.splice(i, 1);
    return this.api.put(`${this.prefix}/tasks/${taskId}/status`, { worker_id: this.id, attempt, status, ...extra });
  }
}
