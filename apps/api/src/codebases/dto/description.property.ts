import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy, ValidateIf } from 'class-validator';

const MAX_DESCRIPTION = 2000;

/** `description`: optional, but never null (a null would silently change nothing); "" clears it. */
export const DescriptionProperty = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ example: 'Main application repository', maxLength: MAX_DESCRIPTION, description: 'Free text; "" clears it. null is refused.' }),
    ValidateIf((_, value) => value !== undefined),
    ValidateBy({
      name: 'isDescription',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= MAX_DESCRIPTION,
        defaultMessage: (args) =>
          typeof args?.value === 'string' ? `description must be at most ${MAX_DESCRIPTION} characters` : 'description must be a string ("" to clear it), not null',
      },
    }),
  );
