import type { Principal } from '../auth/auth.service.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../shared/clock.js';
import type { Hub } from '../app.js';
import type { RequestLoaders } from './loaders.js';

/** What every resolver receives: who is asking, the hub's services, and this request's loaders. */
export interface HubContext {
  principal: Principal;
  hub: Hub;
  loaders: RequestLoaders;
  clock: Clock;
  config: Config;
  /** "today" in the hub's time zone when the request arrived: the default asOf */
  today: string;
}
