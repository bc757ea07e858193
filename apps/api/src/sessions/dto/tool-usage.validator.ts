import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

const MAX_TOOLS = 200;
const MAX_TOOL_NAME = 200;

/** `{tool name: calls}`: a bounded object of non-negative integer counts. */
export function toolUsageProblem(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'tool_usage must be an object of tool name -> number of calls';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TOOLS) return `tool_usage may name at most ${MAX_TOOLS} tools`;
  for (const [name, calls] of entries) {
    if (!name || name.length > MAX_TOOL_NAME || name.includes('\u0000')) return `tool_usage names must be 1-${MAX_TOOL_NAME} characters`;
    if (!Number.isSafeInteger(calls) || (calls as number) < 0) return `tool_usage.${name} must be a non-negative integer`;
  }
  return null;
}

export function IsToolUsage(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isToolUsage',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => toolUsageProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => toolUsageProblem(args?.value) ?? 'tool_usage is invalid',
      },
    });
  };
}
