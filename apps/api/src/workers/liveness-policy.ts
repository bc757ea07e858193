import type { LivenessPolicy } from '#domain';
import type { ApiConfig } from '../config/api-config';

export const livenessPolicy = (config: Pick<ApiConfig, 'heartbeatIntervalS' | 'workerOfflineAfterMissed'>): LivenessPolicy => ({
  heartbeatIntervalS: config.heartbeatIntervalS,
  offlineAfterMissed: config.workerOfflineAfterMissed,
});
