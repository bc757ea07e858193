import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, Validate, type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { WORKER_ID_PATTERN } from '../../../workers/dto/register-worker.dto';
import { TOKEN_SCOPES, type TokenScope } from '../../token-scope';

/** Token names show up in logs as the principal (`box1@worker/box1`): no "@", ":" or spaces. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Ten years: longer-lived tokens should simply not expire. */
export const MAX_EXPIRES_IN_S = 10 * 365 * 24 * 3600;

/** worker_id is required (and a valid worker id) for scope worker, and absent for the others. */
@ValidatorConstraint({ name: 'workerIdForScope' })
class WorkerIdForScope implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const scope = (args.object as CreateApiTokenDto).scope;
    if (scope !== 'worker') return value === undefined || value === null;
    return typeof value === 'string' && WORKER_ID_PATTERN.test(value);
  }

  defaultMessage(args: ValidationArguments): string {
    const scope = (args.object as CreateApiTokenDto).scope;
    if (scope !== 'worker') return `worker_id is only for scope worker (this token has scope ${String(scope)})`;
    if (args.value === undefined || args.value === null) return 'worker_id is required for scope worker: the worker the token may act as';
    return 'worker_id is not a valid worker id (1-128 letters, digits, ".", "_" or "-")';
  }
}

export class CreateApiTokenDto {
  @ApiProperty({ example: 'box1', description: 'Unique among tokens that are not revoked; shown in logs. 1-64 letters, digits, ".", "_" or "-"' })
  @IsString()
  @Matches(TOKEN_NAME_PATTERN, { message: 'name must be 1-64 letters, digits, ".", "_" or "-" (starting with a letter or digit)' })
  name: string;

  @ApiProperty({ enum: TOKEN_SCOPES, example: 'worker', description: 'admin: everything; client: tasks, codebases, sessions; worker: the worker protocol for one worker' })
  @IsIn(TOKEN_SCOPES, { message: `scope must be one of ${TOKEN_SCOPES.join(', ')}` })
  scope: TokenScope;

  @ApiPropertyOptional({
    example: 'box1',
    description: 'Scope worker only: the worker id the token is bound to. The worker need not be registered yet.',
  })
  @Validate(WorkerIdForScope)
  worker_id?: string | null;

  @ApiPropertyOptional({ example: 7_776_000, minimum: 1, maximum: MAX_EXPIRES_IN_S, description: 'Lifetime in seconds; without it the token does not expire' })
  @IsOptional()
  @IsInt({ message: 'expires_in_s must be an integer number of seconds' })
  @Min(1, { message: `expires_in_s must be between 1 and ${MAX_EXPIRES_IN_S}` })
  @Max(MAX_EXPIRES_IN_S, { message: `expires_in_s must be between 1 and ${MAX_EXPIRES_IN_S}` })
  expires_in_s?: number;
}
