import { parseModelDirective } from './model-directive';

describe('parseModelDirective', () => {
  it('reads [model:provider/name] anywhere in the subject and removes it', () => {
    expect(parseModelDirective('Re: [Codefleet] Task completed: tests [model:anthropic/claude-sonnet-4-5]')).toEqual({
      model: 'anthropic/claude-sonnet-4-5',
      subject: 'Re: [Codefleet] Task completed: tests',
    });
    expect(parseModelDirective('[ Model: openai/gpt-5.1-codex ] Re: fix it')).toEqual({ model: 'openai/gpt-5.1-codex', subject: 'Re: fix it' });
  });

  it('accepts a bare model name and ignores other brackets', () => {
    expect(parseModelDirective('Re: [Codefleet] x [model:sonnet]').model).toBe('sonnet');
    expect(parseModelDirective('Re: [Codefleet] Task completed')).toEqual({ model: null, subject: 'Re: [Codefleet] Task completed' });
    expect(parseModelDirective('Re: [model:] nothing').model).toBeNull();
    expect(parseModelDirective('Re: [model:a b] spaces').model).toBeNull();
  });
});
