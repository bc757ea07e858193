import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { TaskOutputResponse } from '#contracts';
import { agentPaths } from '../common/api-paths';
import { notFound } from '../common/api-error';
import type { ApiRequest, ApiResponse } from '../common/http-types';
import { ApiErrors } from '../common/swagger';
import { TaskRepository } from '../tasks/task.repository';
import { OutputChunkDto } from './dto/output-chunk.dto';
import { OutputChunkAckDto, TaskOutputResponseDto } from './dto/output-view.dto';
import { OutputQuery, StreamQuery } from './dto/output.query';
import { OutputService } from './output.service';
import { TaskOutputStreamService } from './task-output-stream.service';
import { AppendOutputUseCase } from './usecases/append-output.usecase';

const TASK_ID = { name: 'id', example: 'task_k3j5m2n4p6q7r8s9' };

/** Last-Event-ID as we send it: the next byte offset. */
export function lastEventOffset(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : null;
}

@ApiTags('output')
@ApiBearerAuth()
@Controller(agentPaths('tasks'))
export class OutputController {
  constructor(
    private readonly appendOutput: AppendOutputUseCase,
    private readonly output: OutputService,
    private readonly stream: TaskOutputStreamService,
    private readonly tasks: TaskRepository,
  ) {}

  @Post(':id/output')
  @HttpCode(200)
  @SkipThrottle()
  @ApiOperation({
    summary: 'Append an output chunk (worker)',
    description: 'Idempotent per (task, offset): a retried chunk is acknowledged with stored=false. Only the claiming worker\'s current attempt may write.',
  })
  @ApiParam(TASK_ID)
  @ApiOkResponse({ type: OutputChunkAckDto })
  @ApiErrors(400, 404, 409, 413)
  append(@Param('id') id: string, @Body() dto: OutputChunkDto): Promise<OutputChunkAckDto> {
    return this.appendOutput.execute(id, dto);
  }

  @Get(':id/output')
  @ApiOperation({ summary: 'Read stored output', description: 'Chunks from a byte offset, up to limit_bytes; continue from next_offset.' })
  @ApiParam(TASK_ID)
  @ApiOkResponse({ type: TaskOutputResponseDto })
  @ApiErrors(400, 404)
  read(@Param('id') id: string, @Query() query: OutputQuery): Promise<TaskOutputResponse> {
    return this.output.read(id, query.offset ?? 0, query.limit_bytes);
  }

  @Get(':id/output/stream')
  @ApiOperation({
    summary: 'Follow output live (SSE)',
    description:
      'text/event-stream. `output` events carry {offset, data} with id = next offset; keep-alive comments every 15 s; ' +
      'a final `done` event carries {status, failure_reason, exit_code, result}. Resume with Last-Event-ID or ?offset=.',
  })
  @ApiParam(TASK_ID)
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume from this offset (sent by EventSource on reconnect)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'Event stream', schema: { type: 'string', example: 'id: 17\nevent: output\ndata: {"offset":0,"data":"Running tests...\\n"}\n\n' } })
  @ApiErrors(400, 404)
  async follow(@Param('id') id: string, @Query() query: StreamQuery, @Req() req: ApiRequest, @Res() res: ApiResponse): Promise<void> {
    if (!(await this.tasks.findById(id))) throw notFound('task', id);
    const from = lastEventOffset(req.headers['last-event-id']) ?? query.offset ?? 0;
    await this.stream.follow(req, res, id, from);
  }
}
