import { createRequire } from 'node:module';
import type { InboundFile, SendGridInboundPost } from '#email';
import type { ApiRequest, ApiResponse } from '../common/http-types';

/** SendGrid accepts messages up to 30 MB; the raw mode carries the whole message in one field. */
export const INBOUND_MAX_BYTES = 35 * 1024 * 1024;
/** A whole post read into memory (signed webhooks): the largest field plus room for the others. */
export const INBOUND_MAX_BODY_BYTES = INBOUND_MAX_BYTES + 5 * 1024 * 1024;

interface MulterFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}
interface MulterRequest extends ApiRequest {
  body?: Record<string, string | string[]>;
  files?: MulterFile[];
}
type Middleware = (req: ApiRequest, res: ApiResponse, next: (err?: unknown) => void) => void;
interface Multer {
  (options: Record<string, unknown>): { any(): Middleware };
  memoryStorage(): unknown;
}

/** Bodies already read (readRawBody) feed busboy from memory instead of the spent request stream. */
const rawBodies = new WeakMap<ApiRequest, Buffer>();

/** multer comes with @nestjs/platform-express (the project has no @types/multer). */
const multer = createRequire(require.resolve('@nestjs/platform-express/package.json'))('multer') as Multer;

/**
 * Text fields as latin1, i.e. one character per raw byte (`fieldEncoding: 'binary'`): only the
 * `charsets` field says how to decode them, and libs/email does that.
 */
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  defCharset: 'latin1',
  defParamCharset: 'utf8',
  limits: { fieldSize: INBOUND_MAX_BYTES, fileSize: INBOUND_MAX_BYTES, fields: 200, files: 100, parts: 300 },
  streamHandler: (req: ApiRequest, busboy: NodeJS.WritableStream) => {
    const raw = rawBodies.get(req);
    if (raw) busboy.end(raw);
    else req.pipe(busboy);
  },
}).any();

export class InboundPostError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * The request body as raw bytes, at most `limit` of them (the signature covers these exact bytes).
 * Throws InboundPostError `LIMIT_BODY_SIZE` past the limit (draining the rest), `body_consumed`
 * when a body parser already read it (JSON or a urlencoded form: SendGrid posts multipart).
 * readInboundPost then parses the multipart from these bytes.
 */
export async function readRawBody(req: ApiRequest, limit = INBOUND_MAX_BODY_BYTES): Promise<Buffer> {
  const parsed = (req as { _body?: boolean })._body === true;
  if (parsed || req.readableEnded) throw new InboundPostError('the body was already consumed by a body parser; SendGrid posts multipart/form-data', 'body_consumed');
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new InboundPostError(`body larger than ${limit} bytes`, 'LIMIT_BODY_SIZE');
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', (err) => reject(new InboundPostError(`could not read the body: ${err.message}`, 'body_read_error')));
    req.once('aborted', () => reject(new InboundPostError('the client aborted the request', 'body_read_error')));
  });
  rawBodies.set(req, raw);
  return raw;
}

/** Reads a SendGrid Inbound Parse post (multipart/form-data, or a urlencoded form in tests). */
export async function readInboundPost(req: ApiRequest, res: ApiResponse): Promise<SendGridInboundPost> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(type)) {
    if (req.body && typeof req.body === 'object' && Object.keys(req.body).length > 0) {
      return { fields: stringFields(req.body as Record<string, unknown>), fieldEncoding: 'text' };
    }
    throw new InboundPostError(`expected multipart/form-data, got "${type || 'no content type'}"`, 'unsupported_content_type');
  }
  await new Promise<void>((resolve, reject) =>
    parseMultipart(req, res, (err?: unknown) => (err ? reject(new InboundPostError(String((err as Error).message ?? err), (err as { code?: string }).code)) : resolve())),
  );
  const m = req as MulterRequest;
  const files: InboundFile[] = (m.files ?? []).map((f) => ({
    fieldname: f.fieldname,
    filename: f.originalname,
    contentType: f.mimetype,
    size: f.size,
    buffer: f.buffer,
  }));
  return { fields: stringFields(m.body ?? {}), files, fieldEncoding: 'binary' };
}

function stringFields(body: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') fields[name] = first;
  }
  return fields;
}
