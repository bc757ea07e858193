import { Writable } from 'node:stream';
import { requestContext } from '../request-context';
import { createAppLogger, PinoNestLogger } from './app-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createAppLogger('debug', stream) };
}

describe('app logger', () => {
  it('writes JSON lines with the request id of the current request', () => {
    const { lines, logger } = capture();
    requestContext.run({ requestId: 'req-42' }, () => logger.info({ task_id: 't1' }, 'task created'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({ level: 'info', service: 'codefleet-api', request_id: 'req-42', task_id: 't1', msg: 'task created' });
    expect(lines[1].request_id).toBeUndefined();
  });

  it('maps Nest logger calls: structured messages, context, errors with stacks, boot chatter to debug', () => {
    const { lines, logger } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log({ msg: 'worker registered', worker_id: 'w1' }, 'RegisterWorkerUseCase');
    nest.error('boom', 'Error: boom\n    at x', 'Filter');
    nest.log('Mapped {/x, GET} route', 'RouterExplorer');
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'worker registered', worker_id: 'w1', context: 'RegisterWorkerUseCase' });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'boom', context: 'Filter', stack: expect.stringContaining('at x') });
    expect(lines[2]).toMatchObject({ level: 'debug', context: 'RouterExplorer' });
  });
});
