import type { OutputChunkView } from '#contracts';
import type { StoredChunk } from './task-output.repository';

/**
 * The part of a stored chunk at or after byte `from` (a reader may resume inside a chunk).
 * Cutting inside a UTF-8 sequence drops the partial character rather than inventing one.
 */
export function chunkFrom(chunk: StoredChunk, from: number): OutputChunkView {
  if (from <= chunk.offset) return { offset: chunk.offset, data: chunk.data };
  const bytes = Buffer.from(chunk.data, 'utf8');
  let start = from - chunk.offset;
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++; // skip continuation bytes
  return { offset: chunk.offset + start, data: bytes.subarray(start).toString('utf8') };
}

export const endOf = (c: OutputChunkView): number => c.offset + Buffer.byteLength(c.data, 'utf8');
