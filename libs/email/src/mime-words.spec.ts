import { decodeBytes } from './charset';
import { decodeMimeWords } from './mime-words';

describe('header and charset decoding', () => {
  it('decodes B and Q encoded words, joining a character split across two words', () => {
    expect(decodeMimeWords('=?UTF-8?Q?Ren=C3=A9e_Dupr=C3=A9?= <r@x.example>')).toBe('Renée Dupré <r@x.example>');
    const rocket = Buffer.from('🚀', 'utf8');
    const split = `=?UTF-8?B?${rocket.subarray(0, 2).toString('base64')}?= =?UTF-8?B?${rocket.subarray(2).toString('base64')}?=`;
    expect(decodeMimeWords(`Launch ${split} now`)).toBe('Launch 🚀 now');
    expect(decodeMimeWords('=?iso-8859-1?q?f=FCr?= 2027')).toBe('für 2027');
    expect(decodeMimeWords('plain text, no words')).toBe('plain text, no words');
  });

  it('never throws on unknown charsets or invalid bytes', () => {
    expect(decodeBytes(Buffer.from([0x66, 0xfc, 0x72]), 'x-unknown')).toBe('für');
    expect(decodeBytes(Buffer.from('für', 'utf8'), null)).toBe('für');
    expect(decodeBytes(Buffer.from([0x80]), '"windows-1252"')).toBe('€');
  });
});
