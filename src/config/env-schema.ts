import { z } from 'zod';

/** Environment variables Argus reads (ARCHITECTURE §3). Only `loadConfig` applies this. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().min(1).optional(),
  ARGUS_CONFIG: z.string().min(1).optional(),
  ARGUS_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  ARGUS_STORAGE_ACCOUNT_URL: z.url().optional(),
  ARGUS_DATA_DIR: z.string().min(1).default('./.argus-data'),
  ARGUS_KEY_VAULT_URL: z.url().optional(),
  MICROSOFT_APP_ID: z.string().min(1).optional(),
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  MICROSOFT_APP_TENANT_ID: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type EnvConfig = z.output<typeof envSchema>;
