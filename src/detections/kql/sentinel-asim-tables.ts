import { num, type FieldSpec, type TableMapping } from './kql-target';

/**
 * Sigma (Sysmon field names) → the Microsoft Sentinel ASIM parsers (`imProcessCreate`,
 * `imFileEvent`, `imRegistry`, `imNetworkSession`, `imDns`), after the Sentinel ASIM pipeline of
 * pySigma's Kusto backend. ASIM keeps Windows user names as `DOMAIN\user` and process ids as text.
 */

const products = ['windows', 'linux', 'macos'];

/** The process that did what a non-process event records. */
const actingProcess: Record<string, FieldSpec> = {
  Image: 'ActingProcessName',
  ProcessId: 'ActingProcessId',
  CommandLine: 'ActingProcessCommandLine',
  User: 'ActorUsername',
  ParentImage: 'ParentProcessName',
  Computer: 'DvcHostname',
};

const actingEntities = { host: 'DvcHostname', accountFull: 'ActorUsername' };

function files(category: string, filter?: string): TableMapping {
  return {
    category,
    products,
    table: 'imFileEvent',
    ...(filter ? { filter } : {}),
    fields: {
      ...actingProcess,
      TargetFilename: 'TargetFilePath',
      Hashes: { column: 'Hashes', hashColumns: { MD5: 'TargetFileMD5', SHA1: 'TargetFileSHA1', SHA256: 'TargetFileSHA256' } },
      md5: 'TargetFileMD5',
      sha1: 'TargetFileSHA1',
      sha256: 'TargetFileSHA256',
    },
    entities: { ...actingEntities, sha256: 'TargetFileSHA256' },
  };
}

function registry(category: string, filter?: string): TableMapping {
  return {
    category,
    products: ['windows'],
    table: 'imRegistry',
    ...(filter ? { filter } : {}),
    fields: {
      ...actingProcess,
      TargetObject: {
        column: 'TargetObject',
        extend: 'iff(isempty(RegistryValue), RegistryKey, strcat(RegistryKey, "\\\\", RegistryValue))',
        rewrite: 'registry-hive',
      },
      Details: 'RegistryValueData',
      EventType: {
        column: 'EventType',
        valueMap: { createkey: ['RegistryKeyCreated'], deletekey: ['RegistryKeyDeleted'], deletevalue: ['RegistryValueDeleted'], setvalue: ['RegistryValueSet'] },
      },
    },
    entities: actingEntities,
  };
}

export const sentinelAsimTables: TableMapping[] = [
  {
    category: 'process_creation',
    products,
    table: 'imProcessCreate',
    fields: {
      Image: 'TargetProcessName',
      OriginalFileName: 'TargetProcessFileOriginalName',
      CommandLine: 'TargetProcessCommandLine',
      CurrentDirectory: 'TargetProcessCurrentDirectory',
      Description: 'TargetProcessFileDescription',
      Product: 'TargetProcessFileProduct',
      Company: 'TargetProcessFileCompany',
      FileVersion: 'TargetProcessFileVersion',
      IntegrityLevel: 'TargetProcessIntegrityLevel',
      User: 'TargetUsername',
      LogonId: 'TargetUserSessionId',
      ProcessId: 'TargetProcessId',
      ParentImage: 'ActingProcessName',
      ParentCommandLine: 'ActingProcessCommandLine',
      ParentProcessId: 'ActingProcessId',
      ParentUser: 'ActorUsername',
      Hashes: {
        column: 'Hashes',
        hashColumns: { MD5: 'TargetProcessMD5', SHA1: 'TargetProcessSHA1', SHA256: 'TargetProcessSHA256', IMPHASH: 'TargetProcessIMPHASH' },
      },
      md5: 'TargetProcessMD5',
      sha1: 'TargetProcessSHA1',
      sha256: 'TargetProcessSHA256',
      Imphash: 'TargetProcessIMPHASH',
      Computer: 'DvcHostname',
    },
    entities: { host: 'DvcHostname', accountFull: 'TargetUsername', sha256: 'TargetProcessSHA256' },
  },
  files('file_event'),
  files('file_delete', 'EventType == "FileDeleted"'),
  files('file_rename', 'EventType == "FileRenamed"'),
  registry('registry_event'),
  registry('registry_add', 'EventType == "RegistryKeyCreated"'),
  registry('registry_delete', 'EventType in ("RegistryKeyDeleted", "RegistryValueDeleted")'),
  registry('registry_set', 'EventType == "RegistryValueSet"'),
  {
    category: 'network_connection',
    products,
    table: 'imNetworkSession',
    fields: {
      Image: 'SrcProcessName',
      ProcessId: 'SrcProcessId',
      User: 'SrcUsername',
      Protocol: 'NetworkProtocol',
      SourceIp: 'SrcIpAddr',
      SourcePort: num('SrcPortNumber'),
      SourceHostname: 'SrcHostname',
      DestinationIp: 'DstIpAddr',
      DestinationPort: num('DstPortNumber'),
      DestinationHostname: 'DstHostname',
      Initiated: { column: 'NetworkDirection', valueMap: { true: ['Outbound'], false: ['Inbound'] } },
      Computer: 'DvcHostname',
    },
    entities: { host: 'DvcHostname', accountFull: 'SrcUsername', ip: 'DstIpAddr' },
  },
  {
    category: 'dns_query',
    products,
    table: 'imDns',
    fields: { Image: 'SrcProcessName', ProcessId: 'SrcProcessId', User: 'SrcUsername', QueryName: 'DnsQuery', QueryResults: 'DnsResponseName', Computer: 'DvcHostname' },
    entities: { host: 'DvcHostname', accountFull: 'SrcUsername' },
  },
];
