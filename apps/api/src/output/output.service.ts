import { Injectable } from '@nestjs/common';
import type { TaskOutputResponse } from '#contracts';
import { notFound } from '../common/api-error';
import { TaskRepository } from '../tasks/task.repository';
import { DEFAULT_READ_BYTES } from './dto/output.query';
import { chunkFrom, endOf } from './output-slice';
import { TaskOutputRepository } from './task-output.repository';

@Injectable()
export class OutputService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly output: TaskOutputRepository,
  ) {}

  async read(taskId: string, offset = 0, limitBytes = DEFAULT_READ_BYTES): Promise<TaskOutputResponse> {
    const task = await this.tasks.findById(taskId);
    if (!task) throw notFound('task', taskId);
    const chunks = (await this.output.readFrom(taskId, offset, limitBytes)).map((c) => chunkFrom(c, offset));
    return {
      task_id: taskId,
      offset,
      next_offset: chunks.length ? endOf(chunks[chunks.length - 1]) : Math.max(offset, 0),
      output_bytes: Number(task.output_bytes),
      output_truncated: task.output_truncated,
      chunks,
    };
  }
}
