import { containsPattern } from './session.repository';
import { cleanOptionalText, cleanText } from './session-text';
import { toolOfSession } from './session-tool';

describe('session text', () => {
  it('drops NUL (PostgreSQL refuses it) and shortens at code points', () => {
    expect(cleanText('a\u0000b', 10)).toBe('ab');
    expect(cleanText('abcdef', 3)).toBe('abc');
    expect(cleanText('😀😀😀', 2)).toBe('😀😀');
  });

  it('drops lone UTF-16 surrogates (jsonb refuses them) and keeps paired ones', () => {
    expect(cleanText('a\ud800', 10)).toBe('a');
    expect(cleanText('\udc00b\ud83d', 10)).toBe('b');
    expect(cleanText('ok 😀', 10)).toBe('ok 😀');
  });

  it('treats blank optional text as missing', () => {
    expect(cleanOptionalText('   ', 10)).toBeNull();
    expect(cleanOptionalText(null, 10)).toBeNull();
    expect(cleanOptionalText(' title ', 10)).toBe('title');
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(containsPattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });

  it('maps session agent types to the tool that resumes them', () => {
    expect(toolOfSession(undefined)).toBe('opencode');
    expect(toolOfSession('claude')).toBe('claude_code');
    expect(toolOfSession('Claude_Code')).toBe('claude_code');
    expect(toolOfSession('codex')).toBe('codex');
    expect(toolOfSession('My-Tool')).toBe('My-Tool');
  });
});
