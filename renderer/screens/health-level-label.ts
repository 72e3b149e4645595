/** A verdict level as the dashboard words it. */
import type { HealthLevel } from '../../shared/replication/replication-health';

export const LEVEL_LABEL: Record<HealthLevel | 'unknown', string> = {
  critical: 'Critical',
  attention: 'Needs attention',
  good: 'Good',
  info: 'Note',
  unknown: 'Unknown',
};
