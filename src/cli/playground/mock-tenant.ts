import { stringify } from 'yaml';
import type { Role } from '../../access/roles';

/**
 * The made-up tenant the Agents Playground plays, written to its config file
 * (`.m365agentsplayground.yml`, schema 0.1.1). The playground's built-in sample uses ids that are
 * not GUIDs (13 hex digits in the last group), which Argus's config rightly refuses, so Argus
 * brings its own: same people, valid ids, a SOC team with an Incidents channel.
 */
export interface MockUser {
  /** The Teams user id the playground uses in `from.id`. */
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
}

export const mockTenantId = '5a1d0c3e-7b9f-4c21-8e6a-0f3d2b1a9c01';

export const mockBot = { id: '28:argus-playground-bot', name: 'Argus' } as const;

function user(n: number, name: string, email: string): MockUser {
  return { id: `user-id-${n}`, name, aadObjectId: `5a1d0c3e-7b9f-4c21-8e6a-0f3d2b1a9c2${n}`, email };
}

/** The person using the playground UI. */
export const mockCurrentUser = user(0, 'Alex Wilber', 'alexw@contoso.example');

/** The playground wants exactly five other people in its tenant. */
export const mockOtherUsers: MockUser[] = [
  user(1, 'Megan Bowen', 'meganb@contoso.example'),
  user(2, 'Adele Vance', 'adelev@contoso.example'),
  user(3, 'Isaiah Langer', 'isaiahl@contoso.example'),
  user(4, 'Patti Fernandez', 'pattif@contoso.example'),
  user(5, 'Lynne Robbins', 'lynner@contoso.example'),
];

/** The team's id is also its General channel's conversation id. */
export const mockTeam = {
  id: '19:soc-general@thread.tacv2',
  name: 'SOC',
  aadGroupId: '5a1d0c3e-7b9f-4c21-8e6a-0f3d2b1a9c31',
  channel: { id: '19:soc-incidents@thread.tacv2', name: 'Incidents' },
} as const;

function playgroundUser(u: MockUser) {
  const [givenName = u.name, surname = ''] = u.name.split(' ');
  // `userPrincipleName` is the playground's own spelling.
  return { id: u.id, name: u.name, userPrincipleName: u.email, aadObjectId: u.aadObjectId, givenName, surname, email: u.email };
}

/** The playground's config file. */
export function playgroundConfigYaml(): string {
  return stringify({
    version: '0.1.1',
    tenantId: mockTenantId,
    bot: { id: mockBot.id, name: mockBot.name },
    currentUser: playgroundUser(mockCurrentUser),
    users: mockOtherUsers.map(playgroundUser),
    personalChat: { id: 'a:argus-playground-personal-chat' },
    groupChat: { id: '19:argus-playground-group-chat@thread.v2', name: 'SOC on call' },
    team: { id: mockTeam.id, name: mockTeam.name, aadGroupId: mockTeam.aadGroupId, channels: [mockTeam.channel] },
  });
}

/**
 * Argus's config for the playground: the playground's tenant is home, the current user has
 * `role` (admin by default, so every button works), and the others have fixed roles so that
 * `whoami` and denials can be shown by changing `role`.
 */
export function argusPlaygroundConfigYaml(role: Role = 'admin'): string {
  const members: Record<Role, string[]> = {
    admin: [],
    responder: [mockOtherUsers[0]!.aadObjectId],
    reader: [mockOtherUsers[1]!.aadObjectId],
  };
  members[role].push(mockCurrentUser.aadObjectId);
  return [
    '# Argus in the Microsoft 365 Agents Playground (argus playground / argus demo).',
    stringify({
      tenantId: mockTenantId,
      access: {
        roles: {
          admin: { users: members.admin },
          responder: { users: members.responder },
          reader: { users: members.reader },
        },
      },
    }),
  ].join('\n');
}
