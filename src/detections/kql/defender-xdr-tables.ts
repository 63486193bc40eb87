import { domainUser, num, type FieldSpec, type TableMapping } from './kql-target';

/**
 * Sigma (Sysmon field names) → Defender XDR advanced hunting, after the Microsoft XDR pipeline of
 * pySigma's Kusto backend, with these differences (docs/detections.md "Running rules on Sentinel"):
 * user names and registry paths are rebuilt as Sysmon writes them (`DOMAIN\user`, key plus value
 * name) instead of compared part by part; registry DWORDs read as Sysmon prints them; a category
 * that shares its table with others is narrowed by ActionType; fields XDR does not record (the
 * loaded image's version info, CallTrace, IMPHASH, …) do not convert instead of being dropped.
 */

const products = ['windows', 'linux', 'macos'];
const windows = ['windows'];

const hashes = { column: 'Hashes', hashColumns: { MD5: 'MD5', SHA1: 'SHA1', SHA256: 'SHA256' } };

/** The process that did what a non-process event records. */
const initiatingProcess: Record<string, FieldSpec> = {
  Image: 'InitiatingProcessFolderPath',
  ProcessId: num('InitiatingProcessId'),
  CommandLine: 'InitiatingProcessCommandLine',
  User: domainUser('InitiatingProcessAccountDomain', 'InitiatingProcessAccountName', 'User'),
  IntegrityLevel: 'InitiatingProcessIntegrityLevel',
  // XDR keeps only the file name of the parent of the initiating process.
  ParentImage: { column: 'InitiatingProcessParentFileName', fileNameOnly: true },
  ParentProcessId: num('InitiatingProcessParentId'),
  Computer: 'DeviceName',
};

const initiatingEntities = { host: 'DeviceName', accountName: 'InitiatingProcessAccountName', accountDomain: 'InitiatingProcessAccountDomain' };

const fileFields: Record<string, FieldSpec> = { ...initiatingProcess, TargetFilename: 'FolderPath', Hashes: hashes, md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' };

/** Sysmon's TargetObject is the key and, for value events, the value name after a backslash. */
const targetObject: FieldSpec = {
  column: 'TargetObject',
  extend: 'iff(isempty(RegistryValueName), RegistryKey, strcat(RegistryKey, "\\\\", RegistryValueName))',
  rewrite: 'registry-hive',
};

/** XDR records a DWORD as its decimal value; Sysmon prints `DWORD (0x0000002a)`. */
const registryDetails: FieldSpec = {
  column: 'Details',
  extend: 'iff(RegistryValueType =~ "Dword", strcat("DWORD (0x", tohex(tolong(RegistryValueData), 8), ")"), RegistryValueData)',
};

const registryFields: Record<string, FieldSpec> = {
  ...initiatingProcess,
  TargetObject: targetObject,
  Details: registryDetails,
  EventType: {
    column: 'ActionType',
    valueMap: { createkey: ['RegistryKeyCreated'], deletekey: ['RegistryKeyDeleted'], deletevalue: ['RegistryValueDeleted'], setvalue: ['RegistryValueSet'] },
  },
};

function registry(category: string, filter?: string): TableMapping {
  return {
    category,
    products: windows,
    table: 'DeviceRegistryEvents',
    ...(filter ? { filter } : {}),
    fields: registryFields,
    entities: initiatingEntities,
  };
}

function files(category: string, filter?: string): TableMapping {
  return { category, products, table: 'DeviceFileEvents', ...(filter ? { filter } : {}), fields: fileFields, entities: { ...initiatingEntities, sha256: 'SHA256' } };
}

export const defenderXdrTables: TableMapping[] = [
  {
    category: 'process_creation',
    products,
    table: 'DeviceProcessEvents',
    fields: {
      Image: 'FolderPath',
      OriginalFileName: 'ProcessVersionInfoOriginalFileName',
      CommandLine: 'ProcessCommandLine',
      Description: 'ProcessVersionInfoFileDescription',
      Product: 'ProcessVersionInfoProductName',
      Company: 'ProcessVersionInfoCompanyName',
      FileVersion: 'ProcessVersionInfoProductVersion',
      User: domainUser('AccountDomain', 'AccountName', 'User'),
      IntegrityLevel: 'ProcessIntegrityLevel',
      ProcessId: num('ProcessId'),
      LogonId: num('LogonId'),
      ParentProcessId: num('InitiatingProcessId'),
      ParentImage: 'InitiatingProcessFolderPath',
      ParentCommandLine: 'InitiatingProcessCommandLine',
      ParentUser: domainUser('InitiatingProcessAccountDomain', 'InitiatingProcessAccountName', 'ParentUser'),
      Hashes: hashes,
      md5: 'MD5',
      sha1: 'SHA1',
      sha256: 'SHA256',
      Computer: 'DeviceName',
    },
    entities: { host: 'DeviceName', accountName: 'AccountName', accountDomain: 'AccountDomain', sha256: 'SHA256' },
  },
  {
    category: 'image_load',
    products: windows,
    table: 'DeviceImageLoadEvents',
    fields: { ...initiatingProcess, ImageLoaded: 'FolderPath', Hashes: hashes, md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' },
    entities: { ...initiatingEntities, sha256: 'SHA256' },
  },
  files('file_event'),
  files('file_delete', 'ActionType == "FileDeleted"'),
  files('file_rename', 'ActionType == "FileRenamed"'),
  registry('registry_event'),
  registry('registry_add', 'ActionType == "RegistryKeyCreated"'),
  registry('registry_delete', 'ActionType in ("RegistryKeyDeleted", "RegistryValueDeleted")'),
  registry('registry_set', 'ActionType == "RegistryValueSet"'),
  {
    category: 'network_connection',
    products,
    table: 'DeviceNetworkEvents',
    fields: {
      ...initiatingProcess,
      Protocol: 'Protocol',
      SourceIp: 'LocalIP',
      SourcePort: num('LocalPort'),
      SourceHostname: 'DeviceName',
      DestinationIp: 'RemoteIP',
      DestinationPort: num('RemotePort'),
      DestinationHostname: 'RemoteUrl',
      Initiated: {
        column: 'ActionType',
        valueMap: { true: ['ConnectionSuccess', 'ConnectionAttempt', 'ConnectionFailed', 'ConnectionRequest'], false: ['InboundConnectionAccepted'] },
      },
    },
    entities: { ...initiatingEntities, ip: 'RemoteIP' },
  },
  {
    category: 'process_access',
    products: windows,
    table: 'DeviceEvents',
    filter: 'ActionType == "OpenProcessApiCall"',
    fields: { ...initiatingProcess, SourceImage: 'InitiatingProcessFolderPath', SourceProcessId: num('InitiatingProcessId'), TargetImage: 'FolderPath', TargetProcessId: num('ProcessId') },
    entities: initiatingEntities,
  },
  {
    category: 'create_remote_thread',
    products: windows,
    table: 'DeviceEvents',
    filter: 'ActionType == "CreateRemoteThreadApiCall"',
    fields: { ...initiatingProcess, SourceImage: 'InitiatingProcessFolderPath', SourceProcessId: num('InitiatingProcessId'), TargetImage: 'FolderPath', TargetProcessId: num('ProcessId') },
    entities: initiatingEntities,
  },
];
