import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import type { ErrorBody } from '#contracts';

export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found' })
  error: string;

  @ApiProperty({ example: 'task task_abcdefghijklmnop not found' })
  message: string;

  @ApiProperty({ required: false, description: 'Field-level problems of a validation error, or other context' })
  details?: unknown;
}

const ERROR_EXAMPLES: Record<number, { description: string; example: ErrorBody }> = {
  400: {
    description: 'Invalid input',
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid request: property colour should not exist',
      details: [{ field: 'colour', problems: ['property colour should not exist'] }],
    },
  },
  401: { description: 'No bearer token', example: { statusCode: 401, error: 'Unauthorized', message: 'Missing bearer token' } },
  403: { description: 'Unknown bearer token', example: { statusCode: 403, error: 'Forbidden', message: 'Invalid bearer token' } },
  404: { description: 'Not found', example: { statusCode: 404, error: 'Not Found', message: 'task task_abcdefghijklmnop not found' } },
  409: {
    description: 'Conflict with the current state (fencing, terminal task, ...)',
    example: { statusCode: 409, error: 'Conflict', message: 'stale attempt 1: the task is at attempt 2' },
  },
  413: { description: 'Body or chunk too large', example: { statusCode: 413, error: 'Payload Too Large', message: 'data is 1048577 bytes; a chunk may hold at most 1048576' } },
  422: {
    description: 'Not runnable as asked',
    example: { statusCode: 422, error: 'Unprocessable Entity', message: 'tool "aider" is not installed on worker abc123 (installed: opencode, claude)' },
  },
  429: { description: 'Rate limited', example: { statusCode: 429, error: 'Too Many Requests', message: 'ThrottlerException: Too Many Requests' } },
};

/** Documents the error responses of a route with the shared error shape; 401/403 are always added. */
export function ApiErrors(...codes: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...codes, 401, 403])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({ status, description: ERROR_EXAMPLES[status]?.description ?? 'Error', type: ErrorBodyDto, example: ERROR_EXAMPLES[status]?.example }),
    ),
  );
}

/** Error responses of routes that need no token. */
export function ApiPublicErrors(...codes: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...codes.map((status) =>
      ApiResponse({ status, description: ERROR_EXAMPLES[status]?.description ?? 'Error', type: ErrorBodyDto, example: ERROR_EXAMPLES[status]?.example }),
    ),
  );
}
