import type { FeatureParts } from '../../app/feature';
import type { RouteDefinition } from '../../ingress/http-types';
import { reportActions } from './report-actions';
import { ReportService, type ReportServiceDeps } from './report-service';

export interface ReportsFeature extends FeatureParts {
  service: ReportService;
}

/** GET /reports/:id — a signed link's report; the signature is the authentication. */
export function reportRoute(service: ReportService): RouteDefinition {
  return {
    method: 'GET',
    path: '/reports/:id',
    readsBody: false,
    handler: (req) => service.open({ id: req.params?.id ?? '', exp: req.query?.exp, sig: req.query?.sig }, req.correlationId),
  };
}

/** Reports for every audience (ARCHITECTURE §9): the incident.report verb and the signed-link route. */
export function createReportsFeature(deps: ReportServiceDeps): ReportsFeature {
  const service = new ReportService(deps);
  return { service, actions: reportActions(service), routes: [reportRoute(service)] };
}
