/** MD5 signals (`video_md5`): validation and normalisation as python-threatexchange does them. */
import { invalidInput } from '../../errors/errors.js';
import { pyRepr } from '../py-repr.js';

declare const md5Brand: unique symbol;
/** 32 lower-case hex digits. */
export type Md5Hex = string & { readonly [md5Brand]: true };

const MD5_HEX = /^[0-9a-f]{32}$/;

export function isMd5Hex(value: string): value is Md5Hex {
  return MD5_HEX.test(value);
}

/** Trims and lower-cases, then requires 32 hex digits; the message quotes the input as Python's repr. */
export function validateMd5(value: string): Md5Hex {
  const normalized = value.trim().toLowerCase();
  if (!isMd5Hex(normalized)) {
    throw invalidInput(`${pyRepr(value)} is not a valid MD5 hash`, { signal_type: 'video_md5' });
  }
  return normalized;
}
