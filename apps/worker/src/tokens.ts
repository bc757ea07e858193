/** Injection tokens for the edges that are values, not classes. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const CLOCK = Symbol('CLOCK');
export const REDACTOR = Symbol('REDACTOR');
