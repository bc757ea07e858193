import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** An optional integer query parameter in 1..max, with one message naming the range. */
export function IntInRange(name: string, max: number, fallback: number, description?: string): PropertyDecorator {
  const message = `${name} must be an integer between 1 and ${max}`;
  return applyDecorators(
    ApiPropertyOptional({ example: fallback, minimum: 1, maximum: max, default: fallback, description }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message }),
    Min(1, { message }),
    Max(max, { message }),
  );
}

/** The opaque `next_cursor` a previous page answered. */
export function PageCursor(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: 'next_cursor of the previous page (opaque)' }),
    IsOptional(),
    IsString(),
    MaxLength(512),
  );
}
