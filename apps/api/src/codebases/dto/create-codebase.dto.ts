import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { WORKER_ID_PATTERN } from '../../workers/dto/register-worker.dto';
import { DescriptionProperty } from './description.property';
import { NotificationEmailProperty } from './notification-email.property';

export class CreateCodebaseDto {
  @ApiProperty({ example: 'my-project' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: '/home/user/my-project', description: 'Absolute path on the worker; stored normalized' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  path: string;

  @DescriptionProperty()
  description?: string;

  @ApiPropertyOptional({
    example: 'abc123',
    description: 'The worker that has the path. Without it, any online worker that finds the path registers it (202 + registration task).',
  })
  @IsOptional()
  @IsString()
  @Matches(WORKER_ID_PATTERN, { message: 'worker_id is not a valid worker id' })
  worker_id?: string;

  @NotificationEmailProperty()
  notification_email?: string | null;
}
