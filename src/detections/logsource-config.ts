import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ArgusError } from '../errors/catalog';
import { formatIssuePath } from '../config/load-config';

const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * One mapping from a Sigma logsource to the events it covers. `conditions` is a Sigma detection
 * map over event fields (e.g. `Channel` and `EventID`, or `Channel|exists: true`); `fieldMappings`
 * renames rule fields to the event's names for events admitted by this entry.
 */
export const logsourceMappingSchema = z.strictObject({
  name: z.string().min(1),
  logsource: z
    .strictObject({
      product: z.string().min(1).optional(),
      category: z.string().min(1).optional(),
      service: z.string().min(1).optional(),
    })
    .refine((l) => l.product || l.category || l.service, 'name at least one of product, category, service'),
  conditions: z.record(z.string(), z.union([conditionValue, z.array(conditionValue).min(1)])).default({}),
  fieldMappings: z.record(z.string(), z.string().min(1)).default({}),
});
export type LogsourceMapping = z.output<typeof logsourceMappingSchema>;

/**
 * `unmapped` says what a rule whose logsource no entry covers does: `all-events` evaluates it on
 * every event (as Sigma tools without a pipeline do, and reported as a warning), `error` refuses it.
 */
export const logsourceConfigSchema = z.strictObject({
  logsources: z.array(logsourceMappingSchema),
  unmapped: z.enum(['all-events', 'error']).default('all-events'),
  /** true: these entries come before the built-in Windows ones; false: they replace them. */
  extendDefaults: z.boolean().default(true),
});
export type LogsourceConfig = z.output<typeof logsourceConfigSchema>;

/** Reads a logsource mapping file (YAML); errors name the key. */
export function parseLogsourceConfig(text: string, source: string): LogsourceConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length)
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${source} is not valid YAML`, { details: doc.errors.map((e) => ({ message: e.message })) });
  const parsed = logsourceConfigSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${source} is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, { details });
  }
  return parsed.data;
}
