import { testUser, type TestUser } from './fake-bot-connector';

/** Argus's own tenant in tests, and a partner tenant whose users come in through federation. */
export const home = 'aaaaaaaa-0000-4000-8000-000000000001';
export const partner = 'bbbbbbbb-0000-4000-8000-000000000002';

export interface TestPeople {
  admin: TestUser;
  responder: TestUser;
  reader: TestUser;
  /** A user of the partner tenant (listed in the federation section by accessYaml). */
  partnerUser: TestUser;
}

/** The people most tests need; `idPrefix` gives their object ids (`<prefix>-0000-4000-8000-00000000000n`). */
export function testPeople(idPrefix = '10000000'): TestPeople {
  const id = (n: number) => `${idPrefix}-0000-4000-8000-00000000000${n}`;
  return {
    admin: testUser('Ada Admin', id(1), home),
    responder: testUser('Rui Responder', id(2), home),
    reader: testUser('Rita Reader', id(3), home),
    partnerUser: testUser('Pat Partner', id(4), partner),
  };
}

/** The config's `access` section giving each their role; the partner user is capped at `maxRole`. */
export function accessYaml(people: TestPeople, maxRole: 'reader' | 'responder'): string {
  return `access:
  roles:
    admin: { users: [${people.admin.aadObjectId}] }
    responder: { users: [${people.responder.aadObjectId}] }
    reader: { users: [${people.reader.aadObjectId}] }
  federation:
    - { tenantId: ${partner}, maxRole: ${maxRole}, users: [${people.partnerUser.aadObjectId}] }`;
}
