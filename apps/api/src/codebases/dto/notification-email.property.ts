import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, MaxLength } from 'class-validator';

/** The stored form: blank means none (null); undefined (not given) stays undefined. */
export const normalizedNotificationEmail = (value: string | null | undefined): string | null | undefined =>
  value === undefined ? undefined : value?.trim() || null;

/** `notification_email`: an address, or null to have none (then NOTIFICATION_EMAIL applies). */
export const NotificationEmailProperty = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      example: 'team@example.com',
      nullable: true,
      type: String,
      description: "Recipient of this codebase's task notifications when a task has no metadata.notify_email; null removes it",
    }),
    IsOptional(),
    IsEmail({}, { message: 'notification_email must be an email address' }),
    MaxLength(254),
  );
