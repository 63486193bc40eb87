import { ArgusError } from '../errors/catalog';
import type { SentinelClient } from '../incidents/sentinel-client';
import type { PlaybookRunner } from './runner';

/**
 * Sentinel target: POST …/incidents/{id}/runPlaybook with the Logic App and our tenant. The client
 * retries only a 429 or a refused connection, never a 5xx: a playbook must not run twice, so a 5xx
 * fails the run with a reason that says it may have started.
 */
export function createSentinelRunner(options: { sentinel?: Pick<SentinelClient, 'runPlaybook'>; tenantId: string }): PlaybookRunner {
  return {
    async trigger({ run, playbook }) {
      const { sentinel } = options;
      if (playbook.target.type !== 'sentinel') throw new ArgusError('ARGUS_INTERNAL', `playbook ${playbook.definition.id} is not a Sentinel playbook`);
      if (!sentinel) return { ok: false, reason: 'Sentinel is not configured.' };
      try {
        await sentinel.runPlaybook(run.incidentName, playbook.target.logicAppResourceId, options.tenantId);
        return { ok: true, detail: 'Sentinel accepted the run' };
      } catch (err) {
        if (!(err instanceof ArgusError) || err.code === 'ARGUS_STORAGE_UNAVAILABLE') throw err;
        const why = err.details[0]?.message ?? err.message;
        const notStarted = err.code === 'ARGUS_BAD_REQUEST' || /^4\d\d /.test(why) || /ECONNREFUSED/.test(why);
        const maybe = notStarted ? '' : ' It may have started: check the Logic App run history before retrying.';
        return { ok: false, reason: `Sentinel did not run the playbook (${why.slice(0, 300)}).${maybe}` };
      }
    },
  };
}
