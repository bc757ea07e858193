import { SetMetadata } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';

export const PUBLIC_ROUTE = 'codefleet:public';
export const PUBLIC_WHEN = 'codefleet:public-when';

/** No bearer token needed (health probes, the inbound mail webhook with its own auth). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

type BooleanConfigKey = { [K in keyof ApiConfig]: ApiConfig[K] extends boolean ? K : never }[keyof ApiConfig];

/** Public only while the named boolean config is true (e.g. METRICS_PUBLIC). */
export const PublicWhen = (key: BooleanConfigKey) => SetMetadata(PUBLIC_WHEN, key);
