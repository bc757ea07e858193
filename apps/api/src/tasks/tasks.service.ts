import { Injectable } from '@nestjs/common';
import type { TaskView } from '#contracts';
import { decodeCursor, encodeCursor, type PageCursor } from '#domain';
import { apiError, notFound } from '../common/api-error';
import { iso } from '../workers/worker-view';
import { DEFAULT_PAGE_SIZE, type ListTasksQuery } from './dto/list-tasks.query';
import { toTaskView } from './task-view';
import { TaskRepository } from './task.repository';

export interface TaskPage {
  tasks: TaskView[];
  next_cursor: string | null;
}

/** Read side of tasks. */
@Injectable()
export class TasksService {
  constructor(private readonly tasks: TaskRepository) {}

  async get(id: string): Promise<TaskView> {
    const task = await this.tasks.findById(id);
    if (!task) throw notFound('task', id);
    return toTaskView(task);
  }

  async list(query: ListTasksQuery): Promise<TaskPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    let cursor: PageCursor | null = null;
    if (query.cursor) {
      try {
        cursor = decodeCursor(query.cursor);
      } catch (err) {
        throw apiError(400, `Invalid cursor: ${(err as Error).message}`, [{ field: 'cursor', problems: [(err as Error).message] }]);
      }
    }
    const rows = await this.tasks.list({ status: query.status, worker_id: query.worker_id, codebase_id: query.codebase_id }, cursor, limit);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      tasks: page.map(toTaskView),
      next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: iso(last.created_at)!, id: last.id }) : null,
    };
  }
}
