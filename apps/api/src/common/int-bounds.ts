/**
 * Upper bounds of numeric columns, checked in DTOs so an oversized number is a 400 naming the
 * field instead of a PostgreSQL out-of-range error (22003).
 */
/** PostgreSQL `integer` (attempt, exit_code, message_count). */
export const PG_INT_MAX = 2147483647;
export const PG_INT_MIN = -2147483648;
/** Byte offsets are `bigint`; JSON numbers are exact up to here. */
export const MAX_BYTE_OFFSET = Number.MAX_SAFE_INTEGER;
