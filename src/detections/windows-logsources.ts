import type { LogsourceMapping } from './logsource-config';

/**
 * Built-in logsource mappings for Windows event logs, after the mapping SigmaHQ's own regression
 * runner uses (`thor-logsources.yml`): Sysmon categories by Event ID on the Sysmon channel, the
 * Security-log flavour of process_creation (4688) with its field renames, and each Windows
 * `service` by its event channel.
 */

const sysmonChannel = 'Microsoft-Windows-Sysmon/Operational';
const powershellChannels = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const defenderChannel = 'Microsoft-Windows-Windows Defender/Operational';

/** category → Sysmon Event IDs (and extra conditions). */
const sysmonCategories: [string, number[], Record<string, string | string[]>?][] = [
  ['process_creation', [1]],
  ['file_change', [2]],
  ['network_connection', [3]],
  ['sysmon_status', [4, 16]],
  ['process_termination', [5]],
  ['driver_load', [6]],
  ['image_load', [7]],
  ['create_remote_thread', [8]],
  ['raw_access_thread', [9]],
  ['process_access', [10]],
  ['file_event', [11]],
  ['registry_event', [12, 13, 14]],
  ['registry_add', [12], { EventType: 'CreateKey' }],
  ['registry_delete', [12], { EventType: ['DeleteKey', 'DeleteValue'] }],
  ['registry_set', [13]],
  ['registry_rename', [14]],
  ['create_stream_hash', [15]],
  ['pipe_created', [17, 18]],
  ['wmi_event', [19, 20, 21]],
  ['dns_query', [22]],
  ['file_delete', [23]],
  ['clipboard_change', [24]],
  ['process_tampering', [25]],
  ['file_delete_detected', [26]],
  ['file_block_executable', [27]],
  ['file_block_shredding', [28]],
  ['file_executable_detected', [29]],
  ['sysmon_error', [255]],
];

/** service → event channel(s). */
const serviceChannels: Record<string, string | string[]> = {
  security: 'Security',
  system: 'System',
  application: 'Application',
  sysmon: sysmonChannel,
  powershell: powershellChannels,
  'powershell-classic': 'Windows PowerShell',
  taskscheduler: 'Microsoft-Windows-TaskScheduler/Operational',
  wmi: 'Microsoft-Windows-WMI-Activity/Operational',
  dhcp: 'Microsoft-Windows-DHCP-Server/Operational',
  ntlm: 'Microsoft-Windows-NTLM/Operational',
  windefend: defenderChannel,
  'printservice-admin': 'Microsoft-Windows-PrintService/Admin',
  'printservice-operational': 'Microsoft-Windows-PrintService/Operational',
  'smbclient-security': 'Microsoft-Windows-SmbClient/Security',
  'smbclient-connectivity': 'Microsoft-Windows-SmbClient/Connectivity',
  'smbserver-connectivity': 'Microsoft-Windows-SMBServer/Connectivity',
  'terminalservices-localsessionmanager': 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
  'codeintegrity-operational': 'Microsoft-Windows-CodeIntegrity/Operational',
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'msexchange-management': 'MSExchange Management',
  'firewall-as': 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall',
  'bits-client': 'Microsoft-Windows-Bits-Client/Operational',
  'security-mitigations': ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode'],
  'diagnosis-scripted': 'Microsoft-Windows-Diagnosis-Scripted/Operational',
  'shell-core': 'Microsoft-Windows-Shell-Core/Operational',
  openssh: 'OpenSSH/Operational',
  ldap: 'Microsoft-Windows-LDAP-Client/Debug',
  bitlocker: 'Microsoft-Windows-BitLocker/BitLocker Management',
  vhdmp: 'Microsoft-Windows-VHDMP/Operational',
  'appxdeployment-server': 'Microsoft-Windows-AppXDeploymentServer/Operational',
  'lsa-server': 'Microsoft-Windows-LSA/Operational',
  'appxpackaging-om': 'Microsoft-Windows-AppxPackaging/Operational',
  'dns-client': 'Microsoft-Windows-DNS Client Events/Operational',
  'dns-server': 'DNS Server',
  'driver-framework': 'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
  'appmodel-runtime': 'Microsoft-Windows-AppModel-Runtime/Admin',
  capi2: 'Microsoft-Windows-CAPI2/Operational',
  'certificateservicesclient-lifecycle-system': 'Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational',
  'kernel-shimengine': ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic'],
  'application-experience': [
    'Microsoft-Windows-Application-Experience/Program-Telemetry',
    'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant',
  ],
  ntfs: 'Microsoft-Windows-Ntfs/Operational',
  'hyper-v-worker': 'Microsoft-Windows-Hyper-V-Worker',
  'kernel-event-tracing': 'Microsoft-Windows-Kernel-EventTracing',
  sense: 'Microsoft-Windows-SENSE/Operational',
  'servicebus-client': ['Microsoft-ServiceBus-Client/Admin', 'Microsoft-ServiceBus-Client/Operational'],
  'iis-configuration': 'Microsoft-IIS-Configuration/Operational',
};

function entry(name: string, logsource: LogsourceMapping['logsource'], conditions: LogsourceMapping['conditions'], fieldMappings: Record<string, string> = {}): LogsourceMapping {
  return { name, logsource, conditions, fieldMappings };
}

export const windowsLogsources: LogsourceMapping[] = [
  ...sysmonCategories.map(([category, ids, extra]) =>
    entry(`sysmon-${category.replace(/_/g, '-')}`, { product: 'windows', category }, { Channel: sysmonChannel, EventID: ids.length === 1 ? (ids[0] as number) : ids, ...extra }),
  ),
  // Security 4688 carries the process fields under other names; the parent's id is `ProcessId`.
  entry(
    'security-process-creation',
    { product: 'windows', category: 'process_creation' },
    { Channel: 'Security', EventID: 4688 },
    { Image: 'NewProcessName', ParentImage: 'ParentProcessName', ProcessId: 'NewProcessId', ParentProcessId: 'ProcessId' },
  ),
  entry('powershell-module', { product: 'windows', category: 'ps_module' }, { Channel: powershellChannels, EventID: 4103 }),
  entry('powershell-script', { product: 'windows', category: 'ps_script' }, { Channel: powershellChannels, EventID: 4104 }),
  entry('powershell-classic-start', { product: 'windows', category: 'ps_classic_start' }, { Channel: 'Windows PowerShell', EventID: 400 }),
  entry('powershell-classic-provider-start', { product: 'windows', category: 'ps_classic_provider_start' }, { Channel: 'Windows PowerShell', EventID: 600 }),
  entry('powershell-classic-script', { product: 'windows', category: 'ps_classic_script' }, { Channel: 'Windows PowerShell', EventID: 800 }),
  entry(
    'defender-antivirus',
    { product: 'windows', category: 'antivirus' },
    { Channel: defenderChannel, EventID: [1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116] },
    { Signature: 'ThreatName', Filename: 'Path' },
  ),
  ...Object.entries(serviceChannels).map(([service, channel]) => entry(`windows-${service}`, { product: 'windows', service }, { Channel: channel })),
  // A rule for `product: windows` alone looks at every Windows event log record.
  entry('windows', { product: 'windows' }, { 'Channel|exists': true }),
];
