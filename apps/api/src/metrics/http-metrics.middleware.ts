import type { ApiRequest, ApiResponse } from '../common/http-types';
import type { MetricsService } from './metrics.service';

/** Records every response under its route template (never raw ids); unmatched paths share one label. */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: ApiRequest, res: ApiResponse, next: () => void): void => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const path = req.route?.path;
      const route = typeof path === 'string' ? path : Array.isArray(path) ? path.join('|') : 'unmatched';
      end({ method: req.method ?? 'GET', route, status_code: String(res.statusCode) });
    });
    next();
  };
}
