import { loadConfig } from '../config/load-config';
import { createLogger } from '../logging/logger';
import { startArgus } from '../main';
import type { CliCommand } from './command';

/** `argus serve`: runs the service until SIGTERM/SIGINT, then shuts down gracefully. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the Argus service',
  usage: 'argus serve',
  async run(_args, io) {
    const config = loadConfig(io.env, { cwd: io.cwd });
    const logger = createLogger({ level: config.env.LOG_LEVEL });
    const app = await startArgus(config, { env: io.env, logger });
    await new Promise<void>((resolve) => {
      const onSignal = (signal: string) => {
        logger.info({ signal }, 'signal received');
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        app.stop().then(resolve, (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve();
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    return 0;
  },
};
