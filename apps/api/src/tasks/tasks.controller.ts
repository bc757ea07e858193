import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { TaskView } from '#contracts';
import { agentPaths } from '../common/api-paths';
import { CorrelationId } from '../common/correlation-id';
import type { ApiResponse } from '../common/http-types';
import { ApiErrors } from '../common/swagger';
import { CreateCodebaseTaskDto, CreateTaskDto } from './dto/create-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { TaskListDto, TaskViewDto } from './dto/task-view.dto';
import { type TaskPage, TasksService } from './tasks.service';
import { CancelTaskUseCase } from './usecases/cancel-task.usecase';
import { CreateTaskUseCase } from './usecases/create-task.usecase';
import { RequeueTaskUseCase } from './usecases/requeue-task.usecase';

const TASK_ID = { name: 'id', example: 'task_k3j5m2n4p6q7r8s9' };

@ApiTags('tasks')
@ApiBearerAuth()
@Controller(agentPaths('tasks'))
export class TasksController {
  constructor(
    private readonly createTask: CreateTaskUseCase,
    private readonly cancelTask: CancelTaskUseCase,
    private readonly requeueTask: RequeueTaskUseCase,
    private readonly tasks: TasksService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a task',
    description: 'codebase_id in the body; or no codebase_id and a worker_id for a worker-global task. The task is stored, then enqueued.',
  })
  @ApiCreatedResponse({ type: TaskViewDto })
  @ApiErrors(400, 404, 409, 422)
  create(@Body() dto: CreateTaskDto, @CorrelationId() correlationId: string | null): Promise<TaskView> {
    return this.createTask.execute({ ...dto, correlation_id: correlationId });
  }

  @Get()
  @ApiOperation({ summary: 'List tasks', description: 'Newest first; filter by status, worker_id, codebase_id; page with limit and cursor.' })
  @ApiOkResponse({ type: TaskListDto })
  @ApiErrors(400)
  list(@Query() query: ListTasksQuery): Promise<TaskPage> {
    return this.tasks.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one task' })
  @ApiParam(TASK_ID)
  @ApiOkResponse({ type: TaskViewDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<TaskView> {
    return this.tasks.get(id);
  }

  @Post(':id/cancel')
  @ApiOperation({
    summary: 'Cancel a task',
    description: 'Pending: cancelled now (200). Running: the worker is told to stop the agent and reports cancelled (202). Finished: 409.',
  })
  @ApiParam(TASK_ID)
  @ApiOkResponse({ type: TaskViewDto, description: 'Cancelled' })
  @ApiAcceptedResponse({ type: TaskViewDto, description: 'Cancel requested from the worker' })
  @ApiErrors(404, 409)
  async cancel(@Param('id') id: string, @Res({ passthrough: true }) res: ApiResponse): Promise<TaskView> {
    const outcome = await this.cancelTask.execute(id);
    res.status(outcome.kind === 'cancelled' ? 200 : 202);
    return outcome.task;
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a failed or cancelled task again', description: 'A new generation: pending, fresh job; earlier output stays readable.' })
  @ApiParam(TASK_ID)
  @ApiOkResponse({ type: TaskViewDto })
  @ApiErrors(404, 409)
  requeue(@Param('id') id: string): Promise<TaskView> {
    return this.requeueTask.execute(id);
  }
}

@ApiTags('tasks')
@ApiBearerAuth()
@Controller(agentPaths('codebases'))
export class CodebaseTasksController {
  constructor(private readonly createTask: CreateTaskUseCase) {}

  @Post(':id/tasks')
  @ApiOperation({ summary: 'Create a task in a codebase', description: 'Runs on the worker that owns the codebase.' })
  @ApiParam({ name: 'id', example: 'cb_k3j5m2n4p6q7r8s9' })
  @ApiCreatedResponse({ type: TaskViewDto })
  @ApiErrors(400, 404, 409, 422)
  create(@Param('id') codebaseId: string, @Body() dto: CreateCodebaseTaskDto, @CorrelationId() correlationId: string | null): Promise<TaskView> {
    return this.createTask.execute({ ...dto, codebase_id: codebaseId, correlation_id: correlationId });
  }
}
