import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A stand-in `opencode` binary: prints realistic `run --format json` lines and records its argv. */
export class OpencodeFixture {
  readonly bin: string;
  private readonly argvFile: string;

  constructor(dir: string) {
    this.bin = join(dir, 'opencode');
    this.argvFile = join(dir, 'opencode-argv.json');
    const ses = 'ses_fixture123';
    const lines = [
      { type: 'step_start', timestamp: 1, sessionID: ses, part: { id: 'prt_1', sessionID: ses, messageID: 'msg_1', type: 'step-start' } },
      { type: 'text', timestamp: 2, sessionID: ses, part: { id: 'prt_2', sessionID: ses, messageID: 'msg_1', type: 'text', text: 'Looking at the code.' } },
      { type: 'tool_use', timestamp: 3, sessionID: ses, part: { id: 'prt_3', sessionID: ses, messageID: 'msg_1', type: 'tool', tool: 'bash', callID: 'c1', state: { status: 'completed', input: { command: 'npm test' }, title: 'npm test', output: 'ok' } } },
      { type: 'step_finish', timestamp: 4, sessionID: ses, part: { id: 'prt_4', sessionID: ses, messageID: 'msg_1', type: 'step-finish', reason: 'tool-calls', cost: 0, tokens: { input: 10, output: 5 } } },
      { type: 'text', timestamp: 5, sessionID: ses, part: { id: 'prt_5', sessionID: ses, messageID: 'msg_2', type: 'text', text: 'All tests pass.' } },
      { type: 'step_finish', timestamp: 6, sessionID: ses, part: { id: 'prt_6', sessionID: ses, messageID: 'msg_2', type: 'step-finish', reason: 'stop', cost: 0, tokens: { input: 12, output: 4 } } },
    ];
    const script = `#!/usr/bin/env node
const fs = require('fs');
if (process.argv[2] === '--version') { console.log('1.18.33'); process.exit(0); }
fs.writeFileSync(${JSON.stringify(this.argvFile)}, JSON.stringify(process.argv.slice(2)));
const lines = ${JSON.stringify(lines)};
let i = 0;
const next = () => { if (i < lines.length) { process.stdout.write(JSON.stringify(lines[i++]) + '\\n'); setTimeout(next, 20); } };
next();
`;
    writeFileSync(this.bin, script);
    chmodSync(this.bin, 0o755);
  }

  argv(): string[] | null {
    return existsSync(this.argvFile) ? (JSON.parse(readFileSync(this.argvFile, 'utf8')) as string[]) : null;
  }
}
