export * from './statuses';
export * from './jobs';
export * from './payload-checks';
export * from './worker-protocol';
export * from './events';
export * from './channel-scope';
export * from './sessions';
