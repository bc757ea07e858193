import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { HeartbeatResponse, RegisterWorkerResponse, WorkerView } from '#contracts';
import { agentPaths } from '../common/api-paths';
import { ApiErrors } from '../common/swagger';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { ListWorkersQuery } from './dto/list-workers.query';
import { RegisterWorkerDto } from './dto/register-worker.dto';
import { HeartbeatResponseDto, RegisterWorkerResponseDto, WorkerListDto, WorkerViewDto } from './dto/worker-view.dto';
import { RecordHeartbeatUseCase } from './usecases/record-heartbeat.usecase';
import { RegisterWorkerUseCase } from './usecases/register-worker.usecase';
import { UnregisterWorkerUseCase } from './usecases/unregister-worker.usecase';
import { WorkersService } from './workers.service';

@ApiTags('workers')
@ApiBearerAuth()
@Controller(agentPaths('workers'))
export class WorkersController {
  constructor(
    private readonly registerWorker: RegisterWorkerUseCase,
    private readonly recordHeartbeat: RecordHeartbeatUseCase,
    private readonly unregisterWorker: UnregisterWorkerUseCase,
    private readonly workers: WorkersService,
  ) {}

  @Post('register')
  @HttpCode(200)
  @SkipThrottle()
  @ApiOperation({
    summary: 'Register or re-register a worker',
    description: 'Idempotent by worker_id. Registering again means the worker restarted: tasks it was running fail with worker_lost.',
  })
  @ApiOkResponse({ type: RegisterWorkerResponseDto })
  @ApiErrors(400)
  register(@Body() dto: RegisterWorkerDto): Promise<RegisterWorkerResponse> {
    return this.registerWorker.execute(dto);
  }

  @Post(':id/heartbeat')
  @HttpCode(200)
  @SkipThrottle()
  @ApiOperation({
    summary: 'Worker heartbeat',
    description: 'Liveness, resources and the tasks the worker runs. The answer carries the cancels it must act on and the codebases it owns. 404: register again.',
  })
  @ApiParam({ name: 'id', example: 'abc123' })
  @ApiOkResponse({ type: HeartbeatResponseDto })
  @ApiErrors(400, 404)
  heartbeat(@Param('id') id: string, @Body() dto: HeartbeatDto): Promise<HeartbeatResponse> {
    return this.recordHeartbeat.execute(id, dto);
  }

  @Post(':id/unregister')
  @HttpCode(200)
  @SkipThrottle()
  @ApiOperation({ summary: 'Clean worker exit', description: 'The worker goes offline; tasks it still runs fail with worker_lost.' })
  @ApiParam({ name: 'id', example: 'abc123' })
  @ApiOkResponse({ type: WorkerViewDto })
  @ApiErrors(404)
  unregister(@Param('id') id: string): Promise<WorkerView> {
    return this.unregisterWorker.execute(id);
  }

  @Get()
  @ApiOperation({ summary: 'List workers', description: 'Optionally filtered by liveness status (derived from heartbeat age).' })
  @ApiOkResponse({ type: WorkerListDto })
  @ApiErrors(400)
  async list(@Query() query: ListWorkersQuery): Promise<{ workers: WorkerView[] }> {
    return { workers: await this.workers.list(query.status) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one worker' })
  @ApiParam({ name: 'id', example: 'abc123' })
  @ApiOkResponse({ type: WorkerViewDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<WorkerView> {
    return this.workers.get(id);
  }
}
