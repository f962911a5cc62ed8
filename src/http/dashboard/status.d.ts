// The module the hub generates at /dashboard/status.js from src/progress/status.ts (src/http/static.ts):
// its type, so the dashboard's use of the table is checked against the table itself.
import type { Status, StatusLabel } from '../../progress/status.js';

export type { Status, StatusLabel };
export declare const STATUS: Record<Status, StatusLabel>;
