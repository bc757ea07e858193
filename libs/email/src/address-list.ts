// Address header values into {address, name} pairs, display names decoded.
import addressparser from 'nodemailer/lib/addressparser';
import type { InboundAddress } from './inbound-email';
import { decodeMimeWords } from './mime-words';

export function parseAddressList(value: string | undefined | null): InboundAddress[] {
  if (!value?.trim()) return [];
  return addressparser(value, { flatten: true })
    .filter((entry) => entry.address)
    .map((entry) => ({ address: entry.address, name: decodeMimeWords(entry.name ?? '').trim() }));
}
