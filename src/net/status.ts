/**
 * HTTP status carried by an error: an Azure SDK RestError, or anything with a numeric
 * `statusCode` (the Bot Connector client, our own HTTP client errors).
 */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null) {
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') return status;
  }
  return undefined;
}
