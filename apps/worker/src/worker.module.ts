import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { Redactor } from '#domain';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config/worker-config';
import { ControlListener } from './control/control-listener';
import { ControlPlaneClient } from './control-plane/control-plane.client';
import { HttpTransport } from './control-plane/http-transport';
import { HeartbeatService } from './lifecycle/heartbeat.service';
import { HttpTaskPoller } from './lifecycle/http-task-poller';
import { TaskStreamClient } from './lifecycle/task-stream-client';
import { WorkerDaemon } from './lifecycle/worker-daemon';
import { WorkerRegistrar } from './lifecycle/worker-registrar';
import { createLogger } from './logging/logger';
import { JobProcessor } from './queues/job-processor';
import { QueueConsumers } from './queues/queue-consumers';
import { RedisConnections } from './queues/redis-connections';
import { AgentRegistry } from './runner/agent-registry';
import { AgentRunService } from './runner/agent-run.service';
import { ProcessRunner } from './runner/process-runner';
import { type Clock, systemClock } from './system/clock';
import { ResourceProbe } from './system/resource-probe';
import { CodebaseDirectory } from './tasks/codebase-directory';
import { ExecuteTaskUseCase } from './tasks/execute-task.usecase';
import { HandleRegistrationUseCase } from './tasks/handle-registration.usecase';
import { RunningTasks } from './tasks/running-tasks';
import { SlotSemaphore } from './tasks/slot-semaphore';
import { createSessionReaders, SESSION_READERS } from './sessions/session-readers';
import { SessionSyncService } from './sessions/session-sync.service';
import { CLOCK, LOGGER, REDACTOR, WORKER_CONFIG } from './tokens';
import { execVersionProbe, ToolCatalog } from './tools/tool-catalog';
import { WORKER_VERSION } from './version';

export interface WorkerModuleOptions {
  logger?: Logger;
  clock?: Clock;
  /** Replace edges in tests (same `provide` token wins). */
  overrides?: Provider[];
}

/** HTTP calls give up a try after this long (then back off and retry where that is safe). */
const HTTP_TIMEOUT_MS = 15_000;

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, options: WorkerModuleOptions = {}): DynamicModule {
    const edges: Provider[] = [
      { provide: WORKER_CONFIG, useValue: config },
      { provide: LOGGER, useValue: options.logger ?? createLogger(config.logLevel, { worker_id: config.workerId }) },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      // The agents' output is scrubbed of the worker's own secrets and every *_TOKEN/*_KEY value.
      { provide: REDACTOR, useFactory: () => Redactor.fromEnv(process.env, config.authToken ? [config.authToken] : []) },
      {
        provide: HttpTransport,
        useFactory: (logger: Logger, clock: Clock) =>
          new HttpTransport({ baseUrl: config.serverUrl, token: config.authToken, timeoutMs: HTTP_TIMEOUT_MS, userAgent: `codefleet-worker/${WORKER_VERSION}` }, clock, logger),
        inject: [LOGGER, CLOCK],
      },
      { provide: ControlPlaneClient, useFactory: (http: HttpTransport) => new ControlPlaneClient(http), inject: [HttpTransport] },
      { provide: ProcessRunner, useFactory: () => new ProcessRunner() },
      { provide: AgentRegistry, useFactory: (logger: Logger) => new AgentRegistry(config.stateDir, logger), inject: [LOGGER] },
      { provide: ToolCatalog, useFactory: (logger: Logger) => new ToolCatalog(config, execVersionProbe(), logger), inject: [LOGGER] },
      {
        provide: ResourceProbe,
        useFactory: () => new ResourceProbe(() => config.codebases.find((c) => existsSync(c.path))?.path ?? homedir()),
      },
      { provide: SlotSemaphore, useFactory: () => new SlotSemaphore(config.maxConcurrent) },
      {
        provide: SESSION_READERS,
        useFactory: (tools: ToolCatalog, logger: Logger) => createSessionReaders(tools, Object.keys(config.tools), logger),
        inject: [ToolCatalog, LOGGER],
      },
    ];
    const services: Provider[] = [
      CodebaseDirectory,
      RunningTasks,
      AgentRunService,
      ExecuteTaskUseCase,
      HandleRegistrationUseCase,
      JobProcessor,
      QueueConsumers,
      RedisConnections,
      ControlListener,
      HeartbeatService,
      WorkerRegistrar,
      TaskStreamClient,
      HttpTaskPoller,
      SessionSyncService,
      WorkerDaemon,
    ];
    return { module: WorkerModule, providers: [...edges, ...services, ...(options.overrides ?? [])], exports: [WorkerDaemon] };
  }
}
