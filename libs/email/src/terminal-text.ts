// Agent output is terminal output: colours and cursor codes are noise in an email.
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function cleanTerminalText(text: string): string {
  return text
    .replace(ANSI_SEQUENCE, '')
    .split('\n')
    // A bare \r redraws the line (progress bars): keep what the terminal finally showed.
    .map((line) => line.replace(/\r+$/, '').split('\r').pop() as string)
    .join('\n')
    .replace(OTHER_CONTROLS, '');
}

/** Keeps the end of the text (where results and errors are), cut at a line start. */
export function keepTail(text: string, maxChars: number): { text: string; cut: boolean } {
  if (text.length <= maxChars) return { text, cut: false };
  const tail = text.slice(-maxChars);
  const newline = tail.indexOf('\n');
  return { text: newline >= 0 && newline < 200 ? tail.slice(newline + 1) : tail, cut: true };
}
