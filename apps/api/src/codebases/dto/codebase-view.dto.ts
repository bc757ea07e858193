import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CodebaseView } from '#contracts';

export class CodebaseViewDto implements CodebaseView {
  @ApiProperty({ example: 'cb_k3j5m2n4p6q7r8s9' }) id: string;
  @ApiProperty({ example: 'my-project' }) name: string;
  @ApiProperty({ example: '/home/user/my-project' }) path: string;
  @ApiProperty({ example: 'Main application' }) description: string;
  @ApiProperty({ example: 'abc123', nullable: true, type: String }) worker_id: string | null;
  @ApiProperty({ example: 'active', enum: ['active', 'deleted'] }) status: string;
  @ApiProperty({ example: '2025-12-10T15:00:00.000Z' }) registered_at: string;
  @ApiPropertyOptional({ example: 'team@example.com', nullable: true, type: String, description: 'Recipient of task notifications when a task has no metadata.notify_email' })
  notification_email?: string | null;
}

export class CodebaseListDto {
  @ApiProperty({ type: [CodebaseViewDto] }) codebases: CodebaseViewDto[];
}

export class RegistrationAcceptedDto {
  @ApiProperty({ example: 'pending' }) status: 'pending';
  @ApiProperty({ example: 'task_k3j5m2n4p6q7r8s9', description: 'The registration task; its result becomes the codebase id' }) task_id: string;
  @ApiProperty({ example: 'Registration task created: the first online worker that has /home/user/my-project will register it' }) message: string;
}
