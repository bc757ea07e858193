import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ApiConfig } from '../config/api-config';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { TaskOutputRepository } from '../output/task-output.repository';
import { TaskRepository } from '../tasks/task.repository';
import { WorkerRepository } from '../workers/worker.repository';
import { dataSourceOptions } from './data-source-options';
import { Sql } from './sql';

const REPOSITORIES = [Sql, WorkerRepository, CodebaseRepository, TaskRepository, TaskOutputRepository];

/** PostgreSQL (source of truth) and the repositories every feature shares. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(config), retryAttempts: 3, retryDelay: 1000 })],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}
