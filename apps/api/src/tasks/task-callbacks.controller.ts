import { Body, Controller, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { ClaimResponse, TaskView } from '#contracts';
import { agentPaths } from '../common/api-paths';
import { ApiErrors } from '../common/swagger';
import { TaskStatusUpdateDto } from './dto/task-status-update.dto';
import { ClaimResponseDto, TaskViewDto } from './dto/task-view.dto';
import { ReportTaskStatusUseCase } from './usecases/report-task-status.usecase';

/** Worker callbacks: high volume, so not rate limited. */
@ApiTags('worker callbacks')
@ApiBearerAuth()
@ApiExtraModels(ClaimResponseDto, TaskViewDto)
@SkipThrottle()
@Controller(agentPaths('tasks'))
export class TaskCallbacksController {
  constructor(private readonly reportStatus: ReportTaskStatusUseCase) {}

  @Put(':id/status')
  @ApiOperation({
    summary: 'Report task status (worker)',
    description:
      '`running` with the job\'s attempt claims a pending task (answer: ClaimResponse with the new attempt). Later callbacks carry that ' +
      'attempt: `running` again updates session_id; completed/failed/cancelled finish it. Stale attempt, another worker, or a ' +
      'move out of a terminal state: 409.',
  })
  @ApiParam({ name: 'id', example: 'task_k3j5m2n4p6q7r8s9' })
  @ApiOkResponse({
    description: 'ClaimResponse for a claim, TaskView otherwise',
    schema: { oneOf: [{ $ref: getSchemaPath(ClaimResponseDto) }, { $ref: getSchemaPath(TaskViewDto) }] },
  })
  @ApiErrors(400, 404, 409)
  async status(@Param('id') id: string, @Body() dto: TaskStatusUpdateDto): Promise<ClaimResponse | TaskView> {
    const outcome = await this.reportStatus.execute(id, dto);
    return outcome.kind === 'claimed' ? outcome.claim : outcome.task;
  }
}
