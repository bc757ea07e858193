import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { apiError } from '../common/api-error';
import type { ApiRequest, ApiResponse } from '../common/http-types';
import { ApiErrors } from '../common/swagger';
import { WorkerRepository } from '../workers/worker.repository';
import { readStreamHeaders } from './stream-headers';
import { WorkerTaskStreamService } from './worker-task-stream.service';

@ApiTags('workers')
@ApiBearerAuth()
@Controller('v1/worker/tasks')
export class WorkerStreamController {
  private readonly logger = new Logger(WorkerStreamController.name);

  constructor(
    private readonly workers: WorkerRepository,
    private readonly streams: WorkerTaskStreamService,
  ) {}

  @Get('stream')
  @SkipThrottle()
  @ApiOperation({
    summary: 'Task stream for a worker on the HTTP fallback (SSE)',
    description:
      'text/event-stream. First one `task_available` event per task already pending for this worker, then one for each task ' +
      'created or requeued for it, on any API replica. data: {task_id, codebase_id, agent_type, tool, priority, created_at}; ' +
      'the worker claims with PUT /v1/agent/tasks/:id/status as usual (409: another delivery got it). Keep-alive comments ' +
      'every SSE_KEEPALIVE_S (15 s). X-Codebases narrows the stream to those of the worker\'s codebases (others are ignored).',
  })
  @ApiHeader({ name: 'worker_id', required: true, description: 'The registered worker id (X-Worker-Id is accepted too)' })
  @ApiHeader({ name: 'X-Codebases', required: false, description: 'Comma-separated codebase ids; default: all of the worker\'s codebases' })
  @ApiHeader({ name: 'X-Capabilities', required: false, description: 'Comma-separated worker capabilities (informational)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'Event stream',
    schema: {
      type: 'string',
      example:
        'event: task_available\ndata: {"task_id":"task_k3j5m2n4p6q7r8s9","codebase_id":"cb_abc","agent_type":"build","tool":null,"priority":0,"created_at":"2026-11-23T10:00:00.000Z"}\n\n',
    },
  })
  @ApiErrors(400, 404)
  async stream(@Req() req: ApiRequest, @Res() res: ApiResponse): Promise<void> {
    const headers = readStreamHeaders(req.headers);
    if (!headers.workerId) throw apiError(400, 'Missing worker id: send the "worker_id" header (or "X-Worker-Id") with your registered worker id');
    const workerId = headers.workerId;
    if (!(await this.workers.findById(workerId))) {
      // details.worker_id tells a worker "register first", unlike an older API's 404 for the route.
      throw apiError(404, `worker ${workerId} not found: register it first (POST /v1/agent/workers/register)`, { worker_id: workerId });
    }
    let codebases: Set<string> | null = null;
    if (headers.codebases) {
      const owned = new Set(await this.streams.ownedCodebases(workerId));
      codebases = new Set(headers.codebases.filter((id) => owned.has(id)));
      const ignored = headers.codebases.filter((id) => !owned.has(id));
      if (ignored.length) this.logger.warn({ msg: 'X-Codebases lists codebases this worker does not own; ignoring them', worker_id: workerId, ignored });
    }
    await this.streams.open(req, res, { workerId, codebases });
  }
}
