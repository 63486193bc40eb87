import { detectionsFeature } from '../detections/feature';
import { incidentsFeature } from '../incidents/feature';
import { playbooksFeature } from '../playbooks/feature';
import { ticketingFeature } from '../ticketing/feature';
import type { Feature } from './context';

/** Every feature, in registration order. Add a feature by adding it here. */
export const features: Feature[] = [incidentsFeature, playbooksFeature, ticketingFeature, detectionsFeature];
