import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MESSAGE = 'priority must be an integer between 0 and 100';

/** A task's optional `priority`, 0..100, higher runs first (same rule wherever a task is created). */
export function TaskPriority(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: 50, minimum: 0, maximum: 100, default: 0, description: 'Higher runs first' }),
    IsOptional(),
    IsInt({ message: MESSAGE }),
    Min(0, { message: MESSAGE }),
    Max(100, { message: MESSAGE }),
  );
}
