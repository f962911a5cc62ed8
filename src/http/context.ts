import type { Principal } from '../auth/auth.service.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../shared/clock.js';
import type { Hub } from '../app.js';
import type { RequestLoaders } from './loaders.js';

/** The part of the hub a resolver may reach: its services, never the database or a repository. */
export type HubServices = Pick<Hub, 'feeds' | 'reminders' | 'observations' | 'tokens' | 'users' | 'audit' | 'live'>;

/** What every resolver receives: who is asking, the hub's services, and this request's loaders (reads). */
export interface HubContext {
  principal: Principal;
  hub: HubServices;
  loaders: RequestLoaders;
  clock: Clock;
  config: Config;
  /** "today" in the hub's time zone when the request arrived: the default asOf */
  today: string;
}
