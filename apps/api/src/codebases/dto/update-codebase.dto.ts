import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { NotificationEmailProperty } from './notification-email.property';

/** PATCH body: only the fields given change. */
export class UpdateCodebaseDto {
  @NotificationEmailProperty()
  notification_email?: string | null;

  @ApiPropertyOptional({ example: 'Main application repository' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}
