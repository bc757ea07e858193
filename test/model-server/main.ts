// Standalone entry, either compiled or straight from source on Node >= 23.6 (type stripping):
//   node dist/test/model-server/main.js [script.json] [--port N]
//   node test/model-server/main.ts [script.json] [--port N]
// Prints {"port":N,"url":"..."} on stdout once listening. With MODEL_SERVER_RECORD=<file>
// every request is appended to that file as one JSON line. SIGTERM/SIGINT close it.
//
// CommonJS on purpose (require, no value imports): Node's type stripping treats this file as
// CommonJS and can then require the .ts sibling, while tsc and ts-jest resolve it as usual.
import type { ScriptInput } from './model-server';

const { appendFileSync, existsSync, readFileSync } = require('node:fs') as typeof import('node:fs');
const { join } = require('node:path') as typeof import('node:path');
const fromSource = __filename.endsWith('.ts') && existsSync(join(__dirname, 'model-server.ts'));
const { startModelServer } = require(fromSource ? './model-server.ts' : './model-server') as typeof import('./model-server');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let port = 0;
  let scriptPath: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else scriptPath = args[i];
  }
  const script: ScriptInput = scriptPath ? JSON.parse(readFileSync(scriptPath, 'utf8')) : { turns: [] };
  const recordFile = process.env.MODEL_SERVER_RECORD;
  const server = await startModelServer(script, {
    port,
    onRequest: recordFile ? (r) => appendFileSync(recordFile, `${JSON.stringify(r)}\n`) : undefined,
  });
  process.stdout.write(`${JSON.stringify({ port: server.port, url: server.url })}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
