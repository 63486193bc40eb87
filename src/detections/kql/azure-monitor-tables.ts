import { windowsLogsources } from '../windows-logsources';
import { num, type ColumnSpec, type FieldSpec, type TableMapping } from './kql-target';
import { kqlString } from './kql-literal';

/**
 * Sigma → the Log Analytics tables Windows event logs land in: `SecurityEvent` for the Security
 * log (its data fields are columns of their own, and Security 4688 stands for process_creation as
 * in the in-process engine), `Event` for every other log, where only the record's header is a
 * column and a data field is read from the record's EventData XML by name.
 */

/** SecurityEvent's columns for Security-log data fields (Microsoft's SecurityEvent table reference). */
const securityColumns = [
  'AccessList', 'AccessMask', 'AccessReason', 'AccountDomain', 'AccountExpires', 'AccountName', 'AllowedToDelegateTo',
  'AuthenticationPackageName', 'CallerProcessId', 'CallerProcessName', 'CategoryId', 'ClientAddress', 'ClientName', 'CommandLine',
  'DisplayName', 'DomainName', 'ElevatedToken', 'FailureReason', 'FilePath', 'GroupMembership', 'HandleId', 'ImpersonationLevel',
  'IpAddress', 'IpPort', 'KeyLength', 'LmPackageName', 'LogonGuid', 'LogonProcessName', 'MandatoryLabel', 'MemberName', 'MemberSid',
  'NewProcessId', 'NewProcessName', 'NewUacValue', 'NewValue', 'ObjectName', 'ObjectServer', 'ObjectType', 'ObjectValueName',
  'OldUacValue', 'OldValue', 'OperationType', 'ParentProcessName', 'PrivilegeList', 'ProcessId', 'ProcessName', 'Properties',
  'RelativeTargetName', 'RestrictedAdminMode', 'SamAccountName', 'ServiceAccount', 'ServiceFileName', 'ServiceName', 'ServiceStartType',
  'ServiceType', 'ShareLocalPath', 'ShareName', 'SidHistory', 'Status', 'SubjectDomainName', 'SubjectLogonId', 'SubjectUserName',
  'SubjectUserSid', 'SubStatus', 'TargetDomainName', 'TargetInfo', 'TargetLinkedLogonId', 'TargetLogonGuid', 'TargetLogonId',
  'TargetOutboundDomainName', 'TargetOutboundUserName', 'TargetServerName', 'TargetSid', 'TargetUserName', 'TargetUserSid',
  'TicketEncryptionType', 'TicketOptions', 'TokenElevationType', 'TransmittedServices', 'UserAccountControl', 'UserPrincipalName',
  'VirtualAccount', 'WorkstationName',
];

const securityFields: Record<string, FieldSpec> = {
  ...Object.fromEntries(securityColumns.map((c) => [c, c])),
  EventID: num('EventID'),
  LogonType: num('LogonType'),
  Computer: 'Computer',
  Channel: 'Channel',
  Provider_Name: 'EventSourceName',
};

const securityEntities = { host: 'Computer', accountName: 'TargetUserName', accountDomain: 'TargetDomainName', ip: 'IpAddress' };

const xmlEntities: [string, string][] = [['&lt;', '<'], ['&gt;', '>'], ['&quot;', '"'], ['&apos;', "'"], ['&amp;', '&']];

/**
 * A data field of an Event record: the text of `<Data Name="Field">` in EventData, XML entities
 * decoded. A CamelCase name also finds the spaced name some providers write (`Threat Name` for
 * ThreatName), as the in-process engine does.
 */
function eventDataField(field: string): ColumnSpec | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) return undefined;
  const name = field.replace(/([a-z])([A-Z])/g, '$1 ?$2');
  let expr = `extract(${kqlString(`<Data Name="${name}">([^<]*)</Data>`)}, 1, EventData)`;
  for (const [entity, char] of xmlEntities) expr = `replace_string(${expr}, ${kqlString(entity)}, ${kqlString(char)})`;
  return { column: field, extend: expr };
}

/** Windows services other than Security, with the event log(s) each reads (from the in-process mappings). */
function eventLogTables(): TableMapping[] {
  const out: TableMapping[] = [];
  for (const entry of windowsLogsources) {
    const { service } = entry.logsource;
    const channel = entry.conditions.Channel;
    if (!service || service === 'security' || (typeof channel !== 'string' && !Array.isArray(channel))) continue;
    const channels = (Array.isArray(channel) ? channel : [channel]).map(String);
    const filter = channels.length === 1 ? `EventLog == ${kqlString(channels[0] as string)}` : `EventLog in (${channels.map(kqlString).join(', ')})`;
    out.push({
      service,
      products: ['windows'],
      table: 'Event',
      filter,
      fields: { EventID: num('EventID'), Provider_Name: 'Source', Computer: 'Computer', Level: num('EventLevel') },
      dataField: eventDataField,
      entities: { host: 'Computer' },
    });
  }
  return out;
}

export const azureMonitorTables: TableMapping[] = [
  { service: 'security', products: ['windows'], table: 'SecurityEvent', fields: securityFields, entities: securityEntities },
  {
    category: 'process_creation',
    products: ['windows'],
    table: 'SecurityEvent',
    filter: 'EventID == 4688',
    // The Security-log form of process creation, renamed as the in-process engine renames it.
    fields: { ...securityFields, Image: 'NewProcessName', ParentImage: 'ParentProcessName', ProcessId: 'NewProcessId', ParentProcessId: 'ProcessId' },
    entities: { host: 'Computer', accountName: 'SubjectUserName', accountDomain: 'SubjectDomainName' },
  },
  ...eventLogTables(),
];
