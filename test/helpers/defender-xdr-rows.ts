import { flattenEvent, type FieldValue } from '../../src/detections/flatten-event';
import type { Cell, Row } from './kql-subset';

/**
 * What a Sysmon event looks like once Defender XDR has recorded the same activity: the table it
 * lands in and its columns, written from Microsoft's advanced hunting schema reference (apart from
 * the converter's mapping tables, so a differential test checks both). Events of other kinds give
 * undefined.
 */

function text(v: FieldValue | undefined): string {
  if (v === undefined || v === null) return '';
  return Array.isArray(v) ? v.map(String).join(' ') : String(v);
}

function number(v: FieldValue | undefined): Cell {
  const t = text(v);
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  return null;
}

/** `DOMAIN\user` as XDR keeps it: two columns. */
function account(v: FieldValue | undefined, prefix: string): Row {
  const t = text(v);
  const i = t.indexOf('\\');
  return { [`${prefix}Domain`]: i < 0 ? '' : t.slice(0, i), [`${prefix}Name`]: i < 0 ? t : t.slice(i + 1) };
}

/** Sysmon's `SHA1=…,MD5=…,SHA256=…,IMPHASH=…` as XDR's hash columns (XDR has no imphash). */
function hashes(v: FieldValue | undefined, prefix = ''): Row {
  const out: Row = {};
  for (const part of text(v).split(',')) {
    const [algo = '', value = ''] = part.split('=');
    if (['MD5', 'SHA1', 'SHA256'].includes(algo.toUpperCase())) out[`${prefix}${algo.toUpperCase()}`] = value;
  }
  return out;
}

const hives: [RegExp, string][] = [
  [/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\'],
  [/^HKU\\/i, 'HKEY_USERS\\'],
  [/^HKCR\\/i, 'HKEY_LOCAL_MACHINE\\CLASSES\\'],
];

function registryKey(path: string): string {
  for (const [re, full] of hives) if (re.test(path)) return path.replace(re, full);
  return path;
}

const registryActions: Record<string, string> = { createkey: 'RegistryKeyCreated', deletekey: 'RegistryKeyDeleted', deletevalue: 'RegistryValueDeleted', setvalue: 'RegistryValueSet' };

function registry(f: (name: string) => FieldValue | undefined): Row {
  const eventType = text(f('EventType')).toLowerCase();
  const target = registryKey(text(f('TargetObject')));
  const valueEvent = eventType === 'setvalue' || eventType === 'deletevalue';
  const cut = target.lastIndexOf('\\');
  const details = text(f('Details'));
  const dword = /^DWORD \(0x([0-9a-f]{8})\)$/i.exec(details);
  return {
    ActionType: registryActions[eventType] ?? eventType,
    RegistryKey: valueEvent && cut > 0 ? target.slice(0, cut) : target,
    RegistryValueName: valueEvent && cut > 0 ? target.slice(cut + 1) : '',
    RegistryValueType: dword ? 'Dword' : details ? 'String' : '',
    RegistryValueData: dword ? String(parseInt(dword[1] as string, 16)) : details,
  };
}

/** The initiating-process columns every non-process table has. */
function initiating(f: (name: string) => FieldValue | undefined, image = 'Image', pid = 'ProcessId', user = 'User'): Row {
  return {
    InitiatingProcessFolderPath: text(f(image)),
    InitiatingProcessId: number(f(pid)),
    ...account(f(user), 'InitiatingProcessAccount'),
  };
}

/** The XDR table and row for one raw Sysmon event (as recorded in EVTX JSON), or undefined. */
export function toDefenderXdrRow(event: Record<string, unknown>): { table: string; row: Row } | undefined {
  const flat = flattenEvent(event);
  const f = (name: string) => flat.get(name);
  if (text(f('Channel')) !== 'Microsoft-Windows-Sysmon/Operational') return undefined;
  const common: Row = { DeviceName: text(f('Computer')) };
  switch (number(f('EventID'))) {
    case 1:
      return {
        table: 'DeviceProcessEvents',
        row: {
          ...common,
          ActionType: 'ProcessCreated',
          FolderPath: text(f('Image')),
          ProcessCommandLine: text(f('CommandLine')),
          ProcessId: number(f('ProcessId')),
          ProcessVersionInfoOriginalFileName: text(f('OriginalFileName')),
          ProcessVersionInfoFileDescription: text(f('Description')),
          ProcessVersionInfoProductName: text(f('Product')),
          ProcessVersionInfoCompanyName: text(f('Company')),
          ProcessVersionInfoProductVersion: text(f('FileVersion')),
          ProcessIntegrityLevel: text(f('IntegrityLevel')),
          LogonId: number(f('LogonId')),
          ...account(f('User'), 'Account'),
          ...hashes(f('Hashes')),
          InitiatingProcessFolderPath: text(f('ParentImage')),
          InitiatingProcessCommandLine: text(f('ParentCommandLine')),
          InitiatingProcessId: number(f('ParentProcessId')),
          ...account(f('ParentUser'), 'InitiatingProcessAccount'),
        },
      };
    case 7:
      return { table: 'DeviceImageLoadEvents', row: { ...common, ...initiating(f), FolderPath: text(f('ImageLoaded')), ...hashes(f('Hashes')) } };
    case 11:
    case 23:
      return {
        table: 'DeviceFileEvents',
        row: { ...common, ...initiating(f), ActionType: number(f('EventID')) === 11 ? 'FileCreated' : 'FileDeleted', FolderPath: text(f('TargetFilename')), ...hashes(f('Hashes')) },
      };
    case 12:
    case 13:
    case 14:
      return { table: 'DeviceRegistryEvents', row: { ...common, ...initiating(f), ...registry(f) } };
    case 10:
      return {
        table: 'DeviceEvents',
        row: { ...common, ActionType: 'OpenProcessApiCall', ...initiating(f, 'SourceImage', 'SourceProcessId', 'SourceUser'), FolderPath: text(f('TargetImage')), ProcessId: number(f('TargetProcessId')) },
      };
    default:
      return undefined;
  }
}
