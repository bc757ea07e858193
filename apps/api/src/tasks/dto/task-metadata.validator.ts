import { isEmail, registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isResumableSessionId, RESUMABLE_SESSION_ID_RULE } from '#contracts';

export const MAX_METADATA_BYTES = 16 * 1024;
export const MAX_TIMEOUT_S = 7 * 24 * 3600;

/** The known metadata keys are typed; any other key is free-form (kept, passed through). */
export function taskMetadataProblem(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'metadata must be an object';
  const m = value as Record<string, unknown>;
  const optionalString = (key: string, max: number): string | null =>
    m[key] === undefined || m[key] === null || (typeof m[key] === 'string' && (m[key] as string).length > 0 && (m[key] as string).length <= max)
      ? null
      : `metadata.${key} must be a non-empty string of at most ${max} characters`;
  const integerIn = (key: string, min: number): string | null =>
    m[key] === undefined || m[key] === null || (Number.isInteger(m[key]) && (m[key] as number) >= min && (m[key] as number) <= MAX_TIMEOUT_S)
      ? null
      : `metadata.${key} must be an integer between ${min} and ${MAX_TIMEOUT_S}`;
  const problem =
    optionalString('model', 200) ??
    (m.resume_session_id === undefined || m.resume_session_id === null || (typeof m.resume_session_id === 'string' && isResumableSessionId(m.resume_session_id))
      ? null
      : `metadata.resume_session_id must be an agent session id: ${RESUMABLE_SESSION_ID_RULE}`) ??
    (m.notify_email === undefined || m.notify_email === null || (typeof m.notify_email === 'string' && isEmail(m.notify_email))
      ? null
      : 'metadata.notify_email must be an email address') ??
    integerIn('timeout_s', 1) ??
    // 0 turns the idle watchdog off for this task.
    integerIn('idle_timeout_s', 0);
  if (problem) return problem;
  if (Buffer.byteLength(JSON.stringify(m)) > MAX_METADATA_BYTES) return `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`;
  return null;
}

export function IsTaskMetadata(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTaskMetadata',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => taskMetadataProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => taskMetadataProblem(args?.value) ?? 'metadata is invalid',
      },
    });
  };
}
