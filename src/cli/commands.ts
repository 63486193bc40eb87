import type { CliCommand } from './command';

/** Every `argus` command, in the order `argus help` lists them. */
export const commands: CliCommand[] = [];
