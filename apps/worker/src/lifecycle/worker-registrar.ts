import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type { CodebaseView, RegisterWorkerResponse } from '#contracts';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ResourceProbe } from '../system/resource-probe';
import { LOGGER, WORKER_CONFIG } from '../tokens';
import { ToolCatalog } from '../tools/tool-catalog';
import { WORKER_VERSION } from '../version';

/** Registers the worker (idempotent by worker_id) and its configured codebases. */
@Injectable()
export class WorkerRegistrar {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly client: ControlPlaneClient,
    private readonly tools: ToolCatalog,
    private readonly probe: ResourceProbe,
  ) {}

  /** Retries until it succeeds or `signal` aborts. */
  async register(signal?: AbortSignal): Promise<RegisterWorkerResponse> {
    const agents = await this.tools.agents();
    const capabilities = [...new Set([...this.config.capabilities, ...agents.map((a) => a.name)])];
    const res = await this.client.register(
      {
        worker_id: this.config.workerId,
        name: this.config.workerName,
        hostname: hostname(),
        capabilities,
        agents,
        max_concurrent: this.config.maxConcurrent,
        version: WORKER_VERSION,
        resources: await this.probe.sample(),
      },
      signal,
    );
    this.logger.info(
      { server_url: this.config.serverUrl, heartbeat_interval_s: res.heartbeat_interval_s, queue_prefix: res.queue_prefix, agents: agents.map((a) => `${a.name}${a.version ? ` ${a.version}` : ''}`) },
      'worker registered',
    );
    return res;
  }

  /** Registers each configured codebase that exists here; a missing one is logged and skipped. */
  async registerCodebases(signal?: AbortSignal): Promise<CodebaseView[]> {
    const registered: CodebaseView[] = [];
    for (const cb of this.config.codebases) {
      if (!(await isDirectory(cb.path))) {
        this.logger.warn({ codebase: cb.name, path: cb.path }, 'codebase path does not exist on this machine; skipped');
        continue;
      }
      try {
        const view = await this.client.registerCodebase({ name: cb.name, path: cb.path, description: cb.description, worker_id: this.config.workerId }, signal);
        registered.push(view);
        this.logger.info({ codebase: cb.name, codebase_id: view.id, path: cb.path }, 'codebase registered');
      } catch (err) {
        this.logger.error({ codebase: cb.name, path: cb.path, err: (err as Error).message }, 'could not register codebase');
      }
    }
    return registered;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
