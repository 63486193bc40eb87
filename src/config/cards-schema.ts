import { z } from 'zod';
import { parseIsoDuration } from '../playbooks/duration';

/**
 * The `cards` section of `argus.config.yaml` (ARCHITECTURE §10, docs/card-layouts.md): card layouts
 * kept in a SharePoint document library. Absent: the built-in layouts (cards/*.json). Kept apart
 * from file-schema.ts, which imports it.
 */

/** Graph ids are put into a URL path: no slashes, no query, no traversal. */
const graphId = (what: string) => z.string().min(1).max(300).regex(/^[A-Za-z0-9!,._~:-]+$/, `must be a ${what} as Microsoft Graph returns it`);

const folder = z
  .string()
  .min(1)
  .max(400)
  .refine((text) => text.split('/').filter(Boolean).length > 0 && text.split('/').every((part) => part !== '.' && part !== '..' && !/[\\?#%*:<>|"]/.test(part)), 'must be a folder path in the library, such as argus-cards');

const refresh = z.string().refine((text) => {
  const ms = parseIsoDuration(text) ?? 0;
  return ms >= 60_000 && ms <= 86_400_000;
}, 'must be an ISO-8601 duration from PT1M to P1D, such as PT5M');

export const sharePointLayoutsSchema = z.strictObject({
  /** The site id (`contoso.sharepoint.com,<site collection id>,<web id>`) from `GET /sites/{hostname}:/{path}`. */
  siteId: graphId('site id'),
  /** A document library other than the site's default one (`GET /sites/{siteId}/drives`). */
  driveId: graphId('drive id').optional(),
  folder: folder.default('argus-cards'),
  refresh: refresh.default('PT5M'),
});

export const cardsSchema = z.strictObject({
  sharePoint: sharePointLayoutsSchema.optional(),
});

export type SharePointLayoutsSettings = z.output<typeof sharePointLayoutsSchema>;
