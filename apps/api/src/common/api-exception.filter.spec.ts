import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { apiError } from './api-error';
import { toErrorBody } from './api-exception.filter';

describe('toErrorBody', () => {
  it('keeps the message and details of an API error', () => {
    const { body } = toErrorBody(apiError(422, 'tool "aider" is not installed on worker w1', { tools: ['opencode'] }));
    expect(body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: 'tool "aider" is not installed on worker w1', details: { tools: ['opencode'] } });
  });

  it('maps Nest exceptions to the same shape', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /nope')).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /nope' });
    expect(toErrorBody(new ConflictException()).body.statusCode).toBe(409);
  });

  it('joins array messages and keeps them as details', () => {
    const { body } = toErrorBody(new BadRequestException(['a is bad', 'b is bad']));
    expect(body.message).toBe('a is bad; b is bad');
    expect(body.details).toEqual(['a is bad', 'b is bad']);
  });

  it('turns a unique violation into 409', () => {
    const err = new QueryFailedError('INSERT', [], Object.assign(new Error('dup'), { code: '23505' }));
    expect(toErrorBody(err).body.statusCode).toBe(409);
  });

  it('turns input PostgreSQL cannot take (NUL in text, impossible dates) into 400', () => {
    const nul = new QueryFailedError('SELECT', [], Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }));
    expect(toErrorBody(nul)).toEqual({ body: { statusCode: 400, error: 'Bad Request', message: 'Text must not contain NUL characters' }, unexpected: false });
    const date = new QueryFailedError('SELECT', [], Object.assign(new Error('out of range'), { code: '22008' }));
    expect(toErrorBody(date).body.statusCode).toBe(400);
  });

  it('turns malformed input (22P02) and out-of-range numbers (22003) into 400, never 500', () => {
    const json = new QueryFailedError('INSERT', [], Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' }));
    expect(toErrorBody(json)).toMatchObject({ body: { statusCode: 400, error: 'Bad Request' }, unexpected: false });
    const range = new QueryFailedError('UPDATE', [], Object.assign(new Error('integer out of range'), { code: '22003' }));
    expect(toErrorBody(range)).toEqual({ body: { statusCode: 400, error: 'Bad Request', message: 'Numeric value out of range' }, unexpected: false });
  });

  it('hides unexpected errors behind a generic 500', () => {
    const { body, unexpected } = toErrorBody(new Error('connection string postgres://secret'));
    expect(unexpected).toBe(true);
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  });
});
