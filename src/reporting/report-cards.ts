import { plain } from '../cards/text';
import type { ActedOnMessage, AdaptiveCard } from '../teams/registry';
import { urgencies } from './report-input';

/** The verb of the form's button when it is a card in a chat (the `report` command). */
export const reportSubmitVerb = 'report.submit';

/**
 * The report form: what happened, when, what is affected, how urgent. As a card in a chat its
 * button is an Action.Execute (`report.submit`); in a message action's task module it is an
 * Action.Submit, which Teams sends back as `composeExtension/submitAction`. A reported message is
 * shown as plain text (its sender's words, never markup).
 */
export function reportFormCard(options: { inChat: boolean; message?: ActedOnMessage; problems?: string[]; values?: Record<string, unknown> }): AdaptiveCard {
  const value = (key: string): string | undefined => (typeof options.values?.[key] === 'string' ? String(options.values[key]).slice(0, 1000) : undefined);
  const { message } = options;
  const body: unknown[] = [
    { type: 'TextBlock', text: 'Report a suspected incident', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: 'The security operations team looks at every report. You get a receipt in your chat with Argus.', wrap: true, isSubtle: true },
  ];
  if (options.problems?.length)
    body.push({ type: 'TextBlock', text: plain(`Please check: ${options.problems.join('; ')}`, 500), wrap: true, color: 'Attention' });
  if (message) {
    body.push({
      type: 'Container',
      style: 'emphasis',
      items: [
        { type: 'TextBlock', text: 'Reported message', weight: 'Bolder', wrap: true },
        { type: 'FactSet', facts: [{ title: 'From', value: plain(message.senderName, 100) || 'unknown' }, ...(message.createdAt ? [{ title: 'Sent', value: plain(message.createdAt, 40) }] : [])] },
        { type: 'TextBlock', text: plain(message.text, 800) || '(no text)', wrap: true, maxLines: 8 },
      ],
    });
  }
  body.push(
    { type: 'Input.Text', id: 'summary', label: 'What happened?', isRequired: true, isMultiline: true, maxLength: 1000, errorMessage: 'Say in a few words what happened.', value: value('summary') },
    { type: 'Input.Text', id: 'occurredAt', label: 'When did it happen?', placeholder: 'e.g. today around 09:40', maxLength: 200, value: value('occurredAt') },
    { type: 'Input.Text', id: 'affected', label: 'What is affected?', placeholder: 'a device, an account, a mailbox…', maxLength: 500, value: value('affected') },
    {
      type: 'Input.ChoiceSet',
      id: 'urgency',
      label: 'How urgent is it?',
      isRequired: true,
      errorMessage: 'Choose how urgent it is.',
      style: 'compact',
      value: value('urgency') ?? 'medium',
      choices: urgencies.map((u) => ({ title: u[0]!.toUpperCase() + u.slice(1), value: u })),
    },
  );
  const action = options.inChat
    ? { type: 'Action.Execute', verb: reportSubmitVerb, title: 'Send to the SOC', style: 'positive', data: {} }
    : { type: 'Action.Submit', title: 'Send to the SOC', style: 'positive' };
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: 'Report a suspected incident',
    body: body.map((b) => JSON.parse(JSON.stringify(b)) as unknown),
    actions: [action],
  };
}
