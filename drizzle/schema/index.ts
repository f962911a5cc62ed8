export * from './plan.js';
export * from './auth.js';
export * from './observations.js';
export * from './feeds.js';
export * from './reminders.js';
export * from './audit.js';
