import { Module } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { CreateTaskUseCase } from '../tasks/usecases/create-task.usecase';
import { EmailController } from './email.controller';
import { EmailInboundService } from './email-inbound.service';
import { EmailNotificationService } from './email-notification.service';
import { EMAIL_TRANSPORT, emailTransportFromConfig } from './email-transport.provider';
import { EmailRepository } from './email.repository';
import { NotificationComposer } from './notification-composer';
import { StuckNotificationSweeper } from './stuck-notification-sweeper';

/** Task notifications (SendGrid or SMTP) and the reply webhook that continues a session. */
@Module({
  controllers: [EmailController],
  providers: [
    { provide: EMAIL_TRANSPORT, inject: [API_CONFIG], useFactory: (config: ApiConfig) => emailTransportFromConfig(config) },
    EmailRepository,
    NotificationComposer,
    EmailNotificationService,
    StuckNotificationSweeper,
    EmailInboundService,
    CreateTaskUseCase,
  ],
})
export class EmailModule {}
