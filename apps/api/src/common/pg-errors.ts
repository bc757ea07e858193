/** PostgreSQL error codes (SQLSTATE) the API answers as client errors. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE of a failed query (TypeORM's QueryFailedError carries the driver's error), if any. */
export const pgErrorCode = (err: unknown): string | undefined => (err as { driverError?: { code?: string } } | null)?.driverError?.code;
