// @ts-check
// The 大屏's live connection: progressChanged over WebSocket (graphql-transport-ws), with graphql-ws's
// own browser client served by the hub from node_modules. Figures are never sent this way: a message
// only says what moved, and the page reads the figures again over HTTP.
import { PROGRESS_CHANGED_SUBSCRIPTION } from './documents.js';
import { createClient } from './vendor/graphql-ws/client.js';

/** @typedef {import('./documents.js').ProgressChange} ProgressChange */
/** @typedef {'connecting' | 'connected' | 'reconnecting' | 'closed'} LiveState */

/** ws://host/graphql beside the page's HTTP endpoint (the page is /dashboard/screen). */
function liveUrl() {
  const url = new URL('../graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Waits before the next attempt: 1, 2, 4, 8, 16, then every 30 seconds, with up to a second of jitter so
 * screens that lost the hub together do not come back together. graphql-ws's own wait doubles without
 * end: a screen left on through a night of maintenance would wait hours.
 * @param {number} retries attempts since the last connection
 */
const retryWait = (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(2 ** retries, 30) * 1000 + Math.random() * 1000));

/**
 * Follows a plan's progress changes until disposed. The token goes in connection_init; without one the
 * hub reads the person's session cookie from the upgrade request (the same origin only).
 * @param {{
 *   planCode: string,
 *   token: string | null,
 *   onChange: (change: ProgressChange) => void,
 *   onState: (state: LiveState) => void,
 *   onReconnected: () => void,
 *   onClosed: () => void,
 *   onFatal: (error: unknown) => void,
 * }} options onReconnected: messages may have been missed while away; onFatal: the hub refused the credential
 * @returns {() => void} dispose
 */
export function followProgress({ planCode, token, onChange, onState, onReconnected, onClosed, onFatal }) {
  let disposed = false;
  const client = createClient({
    url: liveUrl(),
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
    retryAttempts: Infinity,
    retryWait,
    on: {
      connecting: (isRetry) => onState(isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        onState('connected');
        if (wasRetry) onReconnected();
      },
      closed: () => {
        if (disposed) return;
        onState('reconnecting');
        onClosed();
      },
    },
  });
  const unsubscribe = client.subscribe(
    { query: PROGRESS_CHANGED_SUBSCRIPTION, variables: { planCode } },
    {
      next: (message) => {
        const change = /** @type {{ progressChanged?: ProgressChange } | null | undefined} */ (message.data)?.progressChanged;
        if (change) onChange(change);
      },
      // the credential revoked or expired (4401), or a close graphql-ws does not retry
      error: (error) => {
        if (disposed) return;
        onState('closed');
        onFatal(error);
      },
      complete: () => {
        if (!disposed) onState('closed');
      },
    },
  );
  return () => {
    disposed = true;
    unsubscribe();
    void client.dispose();
    onState('closed');
  };
}
