import { Injectable } from '@nestjs/common';
import type { CodebaseView } from '#contracts';
import { notFound } from '../common/api-error';
import { CodebaseRepository } from './codebase.repository';
import { toCodebaseView } from './codebase-view';

/** Read side: deleted codebases are invisible. */
@Injectable()
export class CodebasesService {
  constructor(private readonly codebases: CodebaseRepository) {}

  async list(workerId?: string): Promise<CodebaseView[]> {
    return (await this.codebases.listActive(workerId)).map(toCodebaseView);
  }

  async get(id: string): Promise<CodebaseView> {
    const codebase = await this.codebases.findById(id);
    if (!codebase || codebase.status === 'deleted') throw notFound('codebase', id);
    return toCodebaseView(codebase);
  }
}
