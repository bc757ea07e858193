import { Injectable, Logger } from '@nestjs/common';
import type { CodebaseView } from '#contracts';
import { apiError, notFound } from '../../common/api-error';
import { CodebaseRepository } from '../codebase.repository';
import { toCodebaseView } from '../codebase-view';
import type { UpdateCodebaseDto } from '../dto/update-codebase.dto';
import { normalizedNotificationEmail } from '../dto/notification-email.property';

/** PATCH: the notification address and the description; name, path and worker are fixed. */
@Injectable()
export class UpdateCodebaseUseCase {
  private readonly logger = new Logger(UpdateCodebaseUseCase.name);

  constructor(private readonly codebases: CodebaseRepository) {}

  async execute(id: string, dto: UpdateCodebaseDto): Promise<CodebaseView> {
    if (dto.notification_email === undefined && dto.description === undefined) {
      throw apiError(400, 'nothing to change: give notification_email and/or description');
    }
    const notificationEmail = normalizedNotificationEmail(dto.notification_email);
    const codebase = await this.codebases.update(id, { notification_email: notificationEmail, description: dto.description });
    if (!codebase) throw notFound('codebase', id);
    this.logger.log({ msg: 'codebase updated', codebase_id: id, fields: Object.keys(dto) });
    return toCodebaseView(codebase);
  }
}
