import { ArgusError, type ErrorDetail } from '../errors/catalog';

/** Limits on the words that describe evidence (characters). */
export const evidenceTextLimits = { filename: 255, custodian: 200, to: 200, by: 200, purpose: 1000, source: 500, reason: 1000 } as const;
type Field = keyof typeof evidenceTextLimits;

// Control characters would let a name forge lines in logs, exports and the ledger's printed form.
const control = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks the describing fields of an evidence action at once: every problem is named, and nothing
 * is read or stored when one is found.
 */
export function evidenceText<K extends Field>(values: { [P in K]: unknown }, required: readonly NoInfer<K>[]): Record<K, string | undefined> {
  const details: ErrorDetail[] = [];
  const out = {} as Record<K, string | undefined>;
  for (const field of Object.keys(values) as K[]) {
    const raw = values[field];
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === '') {
      if (required.includes(field)) details.push({ path: field, message: 'is required' });
      out[field] = undefined;
      continue;
    }
    if (typeof value !== 'string') details.push({ path: field, message: 'must be text' });
    else if (value.length > evidenceTextLimits[field]) details.push({ path: field, message: `is longer than ${evidenceTextLimits[field]} characters` });
    else if (control.test(value)) details.push({ path: field, message: 'must not contain control characters or line breaks' });
    else if (field === 'filename' && /[/\\]/.test(value)) details.push({ path: field, message: 'is a file name, not a path' });
    out[field] = typeof value === 'string' ? value : undefined;
  }
  for (const field of required) if (!(field in values)) details.push({ path: field, message: 'is required' });
  if (details.length) throw new ArgusError('ARGUS_BAD_PAYLOAD', `evidence: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, { details });
  return out;
}

/** An evidence id as Argus makes them (a UUID); anything else is refused before storage is asked. */
export function checkEvidenceId(value: unknown): string {
  if (typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) return value;
  throw new ArgusError('ARGUS_BAD_REQUEST', 'an evidence id is a UUID as `argus evidence add` printed it');
}
