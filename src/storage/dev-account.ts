/**
 * Azurite's development account. Name and key are public, fixed by the emulator and documented by
 * Microsoft ("devstoreaccount1"); they guard nothing and only ever reach loopback endpoints.
 */
export const devAccountName = 'devstoreaccount1';
export const devAccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Path-style endpoint of the dev account on a local emulator port. */
export function devEndpoint(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/${devAccountName}`;
}

export function devConnectionString(endpoints: { tableEndpoint: string; queueEndpoint: string; blobEndpoint?: string }): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${devAccountName}`,
    `AccountKey=${devAccountKey}`,
    `TableEndpoint=${endpoints.tableEndpoint}`,
    `QueueEndpoint=${endpoints.queueEndpoint}`,
    ...(endpoints.blobEndpoint ? [`BlobEndpoint=${endpoints.blobEndpoint}`] : []),
  ].join(';');
}
