/** Small runtime checks for payloads crossing a process boundary (no schema library needed). */
export class PayloadError extends Error {}

type Obj = Record<string, unknown>;

export function expectObject(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PayloadError(`${what} must be an object`);
  }
  return value as Obj;
}

export function expectString(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw new PayloadError(`${key} must be a non-empty string`);
  return v;
}

export function expectOptionalString(o: Obj, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new PayloadError(`${key} must be a string`);
  return v;
}

export function expectInteger(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new PayloadError(`${key} must be a non-negative integer`);
  }
  return v;
}
