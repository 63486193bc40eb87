/**
 * Turns an input event into the flat field map rules are written against.
 *
 * Windows events rendered from EVTX/XML to JSON (`Event.System…`, `Event.EventData…`) follow the
 * field naming of the Sigma specification ("Field Usage"): System children by name (`EventID`,
 * `Channel`, `Computer`), System attributes joined with an underscore (`Provider_Name`,
 * `Execution_ProcessID`, `TimeCreated_SystemTime`), EventData `<Data Name="X">` as `X`, and the one
 * child of UserData hoisted the same way. Any other JSON is flattened with dotted paths (`a.b.c`).
 *
 * Some providers name EventData with spaces (Defender: `Threat Name`, `Source Name`, `Process
 * Name`) where Sigma rules write `ThreatName`: SigmaHQ's regression tooling removes the spaces. The
 * event keeps the names as recorded and lists each spaced one under its space-less name
 * (`spaceless`), which EventView answers from when the event has no field of that name itself.
 */

export type Scalar = string | number | boolean | null;
export type FieldValue = Scalar | Scalar[];
export type FlatEvent = Map<string, FieldValue> & {
  /** Windows data names that contain spaces, by the name without them: `ThreatName` → `Threat Name`. */
  spaceless?: Map<string, string>;
};

type Json = Scalar | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Adds a generic JSON value under `prefix`, with dotted paths; arrays of objects gather values per path. */
function addGeneric(out: FlatEvent, prefix: string, value: Json, depth: number): void {
  if (depth > 32) return;
  if (Array.isArray(value)) {
    const scalars: Scalar[] = [];
    for (const item of value) {
      if (isObject(item) || Array.isArray(item)) {
        const nested: FlatEvent = new Map();
        addGeneric(nested, prefix, item, depth + 1);
        for (const [k, v] of nested) appendField(out, k, v);
      } else {
        scalars.push(item);
      }
    }
    if (scalars.length) appendField(out, prefix, scalars);
    else if (value.length === 0) out.set(prefix, []);
    return;
  }
  if (isObject(value)) {
    for (const key of Object.keys(value)) addGeneric(out, prefix ? `${prefix}.${key}` : key, value[key] as Json, depth + 1);
    return;
  }
  out.set(prefix, value);
}

function appendField(out: FlatEvent, name: string, value: FieldValue): void {
  const existing = out.get(name);
  if (existing === undefined) {
    out.set(name, value);
    return;
  }
  const a = Array.isArray(existing) ? existing : [existing];
  const b = Array.isArray(value) ? value : [value];
  out.set(name, [...a, ...b]);
}

/** `Provider` + `Name` → `Provider_Name`, built once per pair rather than once per event. */
const attrNames = new Map<string, Map<string, string>>();
function attrName(name: string, attr: string): string {
  let byAttr = attrNames.get(name);
  if (!byAttr) {
    byAttr = new Map();
    // Names come from the input; keep the cache bounded.
    if (attrNames.size < 1000) attrNames.set(name, byAttr);
  }
  let v = byAttr.get(attr);
  if (v === undefined) {
    v = `${name}_${attr}`;
    if (byAttr.size < 100) byAttr.set(attr, v);
  }
  return v;
}

/** `Threat Name` → `ThreatName`; '' for a name without spaces. Worked out once per name, not per event. */
const spacelessNames = new Map<string, string>();
function spacelessName(name: string): string {
  let v = spacelessNames.get(name);
  if (v === undefined) {
    v = name.includes(' ') ? name.replace(/ /g, '') : '';
    // Names come from the input; past the bound they are still handled, only not remembered.
    if (spacelessNames.size < 10_000) spacelessNames.set(name, v);
  }
  return v;
}

/** An EventData / UserData value under its recorded name (the first of a repeated name wins). */
function addDataField(out: FlatEvent, name: string, value: Scalar): void {
  if (out.has(name)) return;
  out.set(name, value);
  const alias = spacelessName(name);
  if (alias === '') return;
  const aliases = (out.spaceless ??= new Map());
  if (!aliases.has(alias)) aliases.set(alias, name);
}

/** `{"#attributes": {...}, "#text": v}` and plain values, as a System child named `name`. */
function addSystemChild(out: FlatEvent, name: string, value: Json): void {
  if (!isObject(value)) {
    if (Array.isArray(value)) addGeneric(out, name, value, 1);
    else out.set(name, value);
    return;
  }
  const attrs = value['#attributes'];
  if (isObject(attrs)) {
    for (const attr in attrs) {
      const v = attrs[attr] as Json;
      if (!isObject(v) && !Array.isArray(v)) out.set(attrName(name, attr), v);
    }
  }
  if ('#text' in value) {
    const text = value['#text'] as Json;
    if (!isObject(text) && !Array.isArray(text)) out.set(name, text);
  }
}

/** `<Data Name="X">v</Data>` rendered as an object or array of objects. */
function addDataElements(out: FlatEvent, data: Json): void {
  const items = Array.isArray(data) ? data : [data];
  const unnamed: Scalar[] = [];
  for (const item of items) {
    if (isObject(item)) {
      const attrs = item['#attributes'];
      const name = isObject(attrs) ? attrs.Name : undefined;
      const text = item['#text'] ?? null;
      if (typeof name === 'string' && !isObject(text) && !Array.isArray(text)) {
        addDataField(out, name, text);
      } else {
        addGeneric(out, 'Data', item, 1);
      }
    } else if (!Array.isArray(item)) {
      unnamed.push(item);
    }
  }
  if (unnamed.length) appendField(out, 'Data', unnamed.length === 1 ? (unnamed[0] as Scalar) : unnamed);
}

function addEventData(out: FlatEvent, data: Json): void {
  if (!isObject(data)) {
    if (data !== null) addGeneric(out, 'EventData', data, 1);
    return;
  }
  for (const key in data) {
    if (key === '#attributes') continue;
    const value = data[key] as Json;
    if (key === 'Data') {
      addDataElements(out, value);
    } else if (isObject(value) && '#text' in value && !Array.isArray(value['#text'])) {
      addDataField(out, key, value['#text'] as Scalar);
    } else if (isObject(value) || Array.isArray(value)) {
      addGeneric(out, key, value, 1);
    } else {
      addDataField(out, key, value);
    }
  }
}

function windowsRoot(raw: JsonObject): JsonObject | undefined {
  const ev = raw.Event;
  if (isObject(ev) && isObject(ev.System)) return ev;
  if (isObject(raw.System) && ('EventData' in raw || 'UserData' in raw)) return raw;
  return undefined;
}

/** Flattens one input event. Non-object input is the caller's error to report. */
export function flattenEvent(raw: Record<string, unknown>): FlatEvent {
  const out: FlatEvent = new Map();
  const root = windowsRoot(raw as JsonObject);
  if (!root) {
    for (const key of Object.keys(raw)) addGeneric(out, key, raw[key] as Json, 0);
    return out;
  }
  const system = root.System as JsonObject;
  for (const key in system) addSystemChild(out, key, system[key] as Json);
  if ('EventData' in root) addEventData(out, root.EventData as Json);
  const userData = root.UserData;
  if (isObject(userData)) {
    for (const key of Object.keys(userData)) {
      if (key === '#attributes') continue;
      addEventData(out, userData[key] as Json);
    }
  }
  for (const key of Object.keys(root)) {
    if (key === 'System' || key === 'EventData' || key === 'UserData' || key === '#attributes') continue;
    addGeneric(out, key, root[key] as Json, 1);
  }
  return out;
}

/** The flat event as a plain object (for alerts and printing). */
export function flatEventToObject(event: FlatEvent): Record<string, FieldValue> {
  return Object.fromEntries(event);
}

