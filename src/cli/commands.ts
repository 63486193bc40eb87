import type { CliCommand } from './command';
import { packageCommand } from './package-command';

/** Every `argus` command, in the order `argus help` lists them. */
export const commands: CliCommand[] = [packageCommand];
