export const hello = (): string => 'domain';
