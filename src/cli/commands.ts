import type { CliCommand } from './command';

/**
 * Every `argus` command, in the order `argus help` lists them, each loaded when it runs: a command
 * loads only its own modules (`argus serve` starts without the code of the other commands).
 */
const loaders: Record<string, () => Promise<CliCommand>> = {
  serve: async () => (await import('./serve-command')).serveCommand,
  'send-sample': async () => (await import('./send-sample-command')).sendSampleCommand,
  audit: async () => (await import('./audit-command')).auditCommand,
  events: async () => (await import('./events-command')).eventsCommand,
  doctor: async () => (await import('./doctor-command')).doctorCommand,
  package: async () => (await import('./package-command')).packageCommand,
  detect: async () => (await import('./detect-command')).detectCommand,
  ingest: async () => (await import('./ingest-command')).ingestCommand,
  rules: async () => (await import('./rules-command')).rulesCommand,
  alerts: async () => (await import('./alerts-command')).alertsCommand,
  intel: async () => (await import('./intel-command')).intelCommand,
  incident: async () => (await import('./incident-command')).incidentCommand,
  report: async () => (await import('./report-command')).reportCommand,
  clocks: async () => (await import('./clocks-command')).clocksCommand,
  evidence: async () => (await import('./evidence-command')).evidenceCommand,
  playground: async () => (await import('./playground-command')).playgroundCommand,
  demo: async () => (await import('./demo-command')).demoCommand,
  cards: async () => (await import('./cards-command')).cardsCommand,
  'cards-preview': async () => (await import('./cards-preview-command')).cardsPreviewCommand,
};

/** The command called `name`, or undefined when there is none. */
export function loadCommand(name: string): Promise<CliCommand> | undefined {
  return Object.hasOwn(loaders, name) ? loaders[name]!() : undefined;
}

/** Every command, loaded (`argus help`). */
export function allCommands(): Promise<CliCommand[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}
