import { createHmac } from 'node:crypto';
import { computeSignature, signBody, signatureHeader } from '../../src/security/signature';

/**
 * A generated corpus of hostile webhook requests: broken authentication, wrong content types,
 * text that is not JSON, deep nesting, huge strings, prototype-pollution keys and schema
 * violations, each built from one valid body of the route so that only the hostile part is wrong.
 */
export interface HostileRequest {
  name: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** When set, the exact answer expected; otherwise any 4xx with an ARGUS_ code. */
  expect?: { status: number; code: string };
}

export type JsonKind = 'string' | 'number' | 'object' | 'array' | 'string|number';

export interface HostileRoute {
  path: string;
  /** `none`: no authentication (Bot Framework auth is off in dev mode). */
  scheme: 'argus' | 'hub' | 'none';
  secret: string;
  /** A secret of another webhook, which must not sign this one. */
  otherSecret: string;
  /** A body the route accepts when signed. */
  valid: () => Record<string, unknown>;
  /** Dotted paths where the schema admits any JSON, or ignores the key: only the parser bounds nesting there. */
  deepSlots: string[];
  /** Required fields and their JSON type. */
  required: Record<string, JsonKind>;
  /** Values of the right type that the schema refuses; a huge string goes in each of these fields too. */
  refused: Record<string, unknown[]>;
}

const json = 'application/json';
const deepMarker = '"@@deep@@"';

function hubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function authHeaders(route: HostileRoute, body: string | Buffer, secret = route.secret): Record<string, string> {
  if (route.scheme === 'none') return {};
  return route.scheme === 'hub' ? { 'x-hub-signature': hubSignature(secret, body) } : { [signatureHeader]: signBody(secret, body) };
}

/** Sets a dotted path (`a.0.b`), creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return target;
}

function deletePath(target: Record<string, unknown>, path: string): Record<string, unknown> {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[keys[keys.length - 1]!];
  return target;
}

/** JSON text nesting `depth` arrays or objects (or ADF-like paragraphs) around one leaf. */
export function deepText(shape: 'array' | 'object' | 'mixed' | 'adf', depth: number): string {
  switch (shape) {
    case 'array':
      return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    case 'object':
      return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'mixed':
      return `${'[{"a":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}`;
    case 'adf':
      return `${'{"type":"paragraph","content":['.repeat(depth)}{"type":"text","text":"x"}${']}'.repeat(depth)}`;
  }
}

const wrongValues: Record<JsonKind, unknown[]> = {
  string: [null, 12345, ['x']],
  number: [null, '12345', {}],
  object: [null, 'x', [{}]],
  array: [null, {}],
  'string|number': [null, true, {}],
};

const notJson = ['', '{', "{'a':1}", '{"a":1,}', '{"a":1} trailing', 'NaN', '\ufeff{}', '{"a":"unterminated}', `${'['.repeat(100_000)}`];
const wrongTypes = ['text/plain', 'application/x-www-form-urlencoded', 'text/json'];
const shapes = ['[]', '42', 'null', '"a string"', 'true', '{}', '[{}]'];

/** Every hostile request for one route. `bodyLimit`: the configured body limit in bytes. */
export function hostileRequests(name: string, route: HostileRoute, options: { bodyLimit: number }): HostileRequest[] {
  const out: HostileRequest[] = [];
  const { path } = route;
  const valid = JSON.stringify(route.valid());
  const signed = (label: string, body: string | Buffer, expect?: HostileRequest['expect'], type = json) =>
    out.push({ name: `${name}: ${label}`, path, headers: { 'content-type': type, ...authHeaders(route, body) }, body, expect });
  const badSignature = { status: 401, code: 'ARGUS_BAD_SIGNATURE' };
  const badPayload = { status: 400, code: 'ARGUS_BAD_PAYLOAD' };

  if (route.scheme !== 'none') {
    const unsigned = (label: string, headers: Record<string, string>, body: string = valid) =>
      out.push({ name: `${name}: ${label}`, path, headers: { 'content-type': json, ...headers }, body, expect: badSignature });
    const now = Math.floor(Date.now() / 1000);
    const good = computeSignature(route.secret, now, valid);
    unsigned('no signature', {});
    unsigned('a bearer token instead of a signature', { authorization: 'Bearer a.b.c' });
    unsigned('signed with a wrong secret', authHeaders(route, valid, 'not-the-secret'));
    unsigned('signed with another webhook\'s secret', authHeaders(route, valid, route.otherSecret));
    unsigned('signature over another body', authHeaders(route, valid), valid.replace(/.$/, ' }'));
    if (route.scheme === 'argus') {
      unsigned('stale signature', { [signatureHeader]: signBody(route.secret, valid, Date.now() - 400_000) });
      unsigned('signature from the future', { [signatureHeader]: signBody(route.secret, valid, Date.now() + 400_000) });
      unsigned('Jira-style signature', { 'x-hub-signature': hubSignature(route.secret, valid) });
      const malformed = ['garbage', 't=abc,v1=00', `v1=${good}`, `t=${now},v1=${good.slice(1)}`, `t=${now},v1=${'z'.repeat(64)}`,
        `t=${now}${',v1=00'.repeat(300)}`, `t=${now}.5,v1=${good}`];
      malformed.forEach((h, i) => unsigned(`malformed signature header #${i + 1}`, { [signatureHeader]: h }));
    } else {
      const hex = hubSignature(route.secret, valid).slice(7);
      unsigned('Argus-style signature', { [signatureHeader]: signBody(route.secret, valid) });
      const malformed = ['garbage', 'sha256=', `sha1=${hex.slice(0, 40)}`, `SHA256=${hex}`, `sha256=${hex.slice(1)}`, `sha256=${'z'.repeat(64)}`, `sha256=${hex}${hex}`];
      malformed.forEach((h, i) => unsigned(`malformed signature header #${i + 1}`, { 'x-hub-signature': h }));
    }
    // Nesting is never looked at before the sender is known.
    unsigned('deep nesting, unsigned', {}, deepText('array', 100_000));
  }

  for (const type of wrongTypes) signed(`content type ${type}`, valid, { status: 415, code: 'ARGUS_UNSUPPORTED_MEDIA_TYPE' }, type);
  out.push({ name: `${name}: no content type`, path, headers: authHeaders(route, Buffer.from(valid)), body: Buffer.from(valid), expect: { status: 415, code: 'ARGUS_UNSUPPORTED_MEDIA_TYPE' } });
  notJson.forEach((text, i) => signed(`not JSON #${i + 1}`, text, badPayload));
  signed('invalid UTF-8', Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(valid)]), badPayload);
  for (const text of shapes) signed(`JSON ${text} instead of an object`, text, badPayload);

  // Bodies over the limit are refused before nesting matters (covered below): only those within it.
  const deep = (label: string, text: string) => text.length <= options.bodyLimit && signed(label, text, badPayload);
  for (const shape of ['array', 'object', 'mixed'] as const)
    for (const depth of [66, 40_000]) deep(`${shape}s nested ${depth} deep as the body`, deepText(shape, depth));
  for (const slot of route.deepSlots) {
    const base = JSON.stringify(setPath(route.valid(), slot, '@@deep@@'));
    for (const shape of ['array', 'object', 'adf'] as const)
      for (const depth of [64, 6000]) deep(`${shape}s nested ${depth} deep at ${slot}`, base.replace(deepMarker, deepText(shape, depth)));
  }

  const huge = 'x'.repeat(Math.floor(options.bodyLimit * 0.8));
  for (const field of Object.keys(route.refused)) signed(`a huge string in ${field}`, JSON.stringify(setPath(route.valid(), field, huge)), badPayload);
  signed('a huge string as the whole body', JSON.stringify(huge));
  signed('a body over the limit', JSON.stringify({ ...route.valid(), pad: 'x'.repeat(options.bodyLimit) }), { status: 413, code: 'ARGUS_PAYLOAD_TOO_LARGE' });

  // Prototype-pollution keys around or in place of a valid body: only own data, never a prototype.
  const top = Object.keys(route.required)[0]!.split('.')[0]!;
  const { [top]: smuggledValue, ...withoutTop } = route.valid();
  signed('the body under __proto__', `{"__proto__":${valid}}`, badPayload);
  signed('the body under "\\u005f_proto__"', `{"\\u005f_proto__":${valid}}`, badPayload);
  signed('the body under constructor.prototype', `{"constructor":{"prototype":${valid}}}`, badPayload);
  signed(`${top} smuggled through __proto__`, JSON.stringify(withoutTop).replace(/^\{/, `{"__proto__":${JSON.stringify({ [top]: smuggledValue })},`), badPayload);
  signed('__proto__ inside an array', `[{"__proto__":${valid}},${valid}]`, badPayload);

  for (const [field, kind] of Object.entries(route.required)) {
    signed(`${field} missing`, JSON.stringify(deletePath(route.valid(), field)), badPayload);
    wrongValues[kind].forEach((v) => signed(`${field} = ${JSON.stringify(v)}`, JSON.stringify(setPath(route.valid(), field, v)), badPayload));
  }
  for (const [field, values] of Object.entries(route.refused))
    values.forEach((v) => signed(`${field} = ${JSON.stringify(v).slice(0, 40)}`, JSON.stringify(setPath(route.valid(), field, v)), badPayload));
  return out;
}
