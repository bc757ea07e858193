import { Injectable } from '@nestjs/common';
import { judgeOutputCallback } from '#domain';
import { apiError, conflict, notFound } from '../../common/api-error';
import { MetricsService } from '../../metrics/metrics.service';
import { LiveEvents } from '../../queue/live-events';
import { TaskRepository } from '../../tasks/task.repository';
import { MAX_CHUNK_BYTES, type OutputChunkDto } from '../dto/output-chunk.dto';
import type { OutputChunkAckDto } from '../dto/output-view.dto';
import { TaskOutputRepository } from '../task-output.repository';

/** Worker callback: store a chunk once, fenced to the claiming worker's current attempt, then fan it out. */
@Injectable()
export class AppendOutputUseCase {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly output: TaskOutputRepository,
    private readonly live: LiveEvents,
    private readonly metrics: MetricsService,
  ) {}

  async execute(taskId: string, chunk: OutputChunkDto): Promise<OutputChunkAckDto> {
    const bytes = Buffer.byteLength(chunk.data, 'utf8');
    if (bytes > MAX_CHUNK_BYTES) throw apiError(413, `data is ${bytes} bytes; a chunk may hold at most ${MAX_CHUNK_BYTES}`);
    const task = await this.tasks.findById(taskId);
    if (!task) throw notFound('task', taskId);
    const problem = judgeOutputCallback(task, chunk.worker_id, chunk.attempt);
    if (problem) throw conflict(problem, { status: task.status, attempt: task.attempt, worker_id: task.worker_id });

    const { inserted } = await this.output.insertChunk(taskId, chunk.offset, chunk.data, bytes);
    if (inserted) {
      this.metrics.outputBytes.inc(bytes);
      await this.live.publishTask(taskId, { type: 'output', offset: chunk.offset, data: chunk.data });
    }
    return { task_id: taskId, offset: chunk.offset, next_offset: chunk.offset + bytes, stored: inserted };
  }
}
