/** Parts of an Azure Storage connection string (`Key=Value;...`; values may contain '='). */
export function parseConnectionString(connectionString: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const segment of connectionString.split(';')) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    parts.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
  }
  return parts;
}

export interface ConnectionStringInfo {
  accountName?: string;
  tableEndpoint?: string;
  /** True when requests go over plain http (Azurite): the SDK must be told to allow it. */
  insecure: boolean;
}

/** What a connection string points at, without its key or SAS (safe to log). */
export function describeConnectionString(connectionString: string): ConnectionStringInfo {
  const parts = parseConnectionString(connectionString);
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return { accountName: 'devstoreaccount1', tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1', insecure: true };
  }
  const protocol = parts.get('defaultendpointsprotocol')?.toLowerCase();
  const accountName = parts.get('accountname');
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const tableEndpoint =
    parts.get('tableendpoint') ?? (accountName ? `${protocol ?? 'https'}://${accountName}.table.${suffix}` : undefined);
  const insecure = tableEndpoint ? tableEndpoint.toLowerCase().startsWith('http:') : protocol === 'http';
  return { accountName, tableEndpoint, insecure };
}

/**
 * Table, queue and blob endpoints of an account URL. `https://acct.blob.core.windows.net` (or .table/
 * .queue/.file/.dfs) maps to that account's table, queue and blob hosts; any other URL (custom domain,
 * path-style emulator URL) is used as is for all three.
 */
export function accountEndpoints(accountUrl: string): { tableUrl: string; queueUrl: string; blobUrl: string } {
  const url = new URL(accountUrl);
  const match = /^([a-z0-9]+)\.(?:blob|table|queue|file|dfs)\.(.+)$/i.exec(url.hostname);
  if (!match) {
    const base = accountUrl.replace(/\/+$/, '');
    return { tableUrl: base, queueUrl: base, blobUrl: base };
  }
  const [, account, suffix] = match;
  const port = url.port ? `:${url.port}` : '';
  return {
    tableUrl: `${url.protocol}//${account}.table.${suffix}${port}`,
    queueUrl: `${url.protocol}//${account}.queue.${suffix}${port}`,
    blobUrl: `${url.protocol}//${account}.blob.${suffix}${port}`,
  };
}
