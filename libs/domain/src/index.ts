export * from './task-state';
export * from './fencing';
export * from './liveness';
export * from './queue-names';
export * from './codebase-path';
export * from './page-cursor';
export * from './redaction';
export * from './output-chunker';
