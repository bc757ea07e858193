import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** ISO 8601 date or date-time as CLIs write them; JavaScript and PostgreSQL both read these. */
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** PostgreSQL has no year 0; agent sessions are from this era anyway. */
const MIN_YEAR = 1970;

export function isTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || !TIMESTAMP_PATTERN.test(value)) return false;
  const ms = Date.parse(value.replace(' ', 'T'));
  return !Number.isNaN(ms) && new Date(ms).getUTCFullYear() >= MIN_YEAR && new Date(ms).getUTCFullYear() <= 9999;
}

/** Null or undefined pass (pair it with IsOptional); anything else must be a readable timestamp. */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => value == null || isTimestamp(value),
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'value'} must be an ISO 8601 timestamp such as 2025-12-10T15:00:00Z`,
      },
    });
  };
}

/** A validated timestamp as an ISO string in UTC. */
export const toIso = (value: string | null | undefined): string | null => (value == null ? null : new Date(value.replace(' ', 'T')).toISOString());
