import { statusOf } from '../net/status';

/*
 * Table Storage key rules: PartitionKey and RowKey may not contain / \ # ? or control characters
 * (U+0000-U+001F, U+007F-U+009F), and are at most 1 KiB. encodeKey maps any string onto that
 * alphabet reversibly: '%' and every forbidden character (all below U+00A0) become %XX, so
 * decodeKey(encodeKey(s)) === s and ordinary ids (GUIDs, ARM ids without slashes) stay readable.
 */

const forbidden = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;

export function encodeKey(value: string): string {
  return value.replace(forbidden, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function decodeKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** True when `key` may be used as a PartitionKey/RowKey as is. */
export function isValidKey(key: string): boolean {
  return key.length <= 1024 && !/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key);
}

// 13 digits hold every millisecond timestamp up to the year 2286.
const timeDigits = 13;
const maxTime = 10 ** timeDigits - 1;

/** Inverted, zero-padded milliseconds: newer times sort first as strings (newest-first RowKeys). */
export function invertedTimeKey(time: Date | number): string {
  const ms = typeof time === 'number' ? time : time.getTime();
  if (!Number.isInteger(ms) || ms < 0 || ms > maxTime) throw new RangeError(`time out of range: ${ms}`);
  return String(maxTime - ms).padStart(timeDigits, '0');
}

/** The time an invertedTimeKey was made from. */
export function timeFromInvertedKey(key: string): Date {
  return new Date(maxTime - Number(key.slice(0, timeDigits)));
}

/** Zero-padded non-negative integer: sorts numerically as a string (sequence RowKeys). */
export function padSeq(seq: number, digits = 12): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`bad sequence number: ${seq}`);
  return String(seq).padStart(digits, '0');
}

/** 409: the entity (or table) already exists — createEntity's idempotency lock. */
export const isConflict = (err: unknown): boolean => statusOf(err) === 409;
/** 412: the etag passed no longer matches — someone else wrote first. */
export const isPreconditionFailed = (err: unknown): boolean => statusOf(err) === 412;
export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;
