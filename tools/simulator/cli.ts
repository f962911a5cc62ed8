import { describeFeeds, startSimulator } from './simulator.js';

/** `npm run simulate`: the bureau feed simulator on SIM_PORT (default 4600) until SIGINT or SIGTERM. */
const portText = process.env.SIM_PORT ?? '4600';
const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 0 && port <= 65_535)) {
  console.error(`SIM_PORT must be a port number (0-65535), not "${portText}"`);
  process.exit(2);
}

const simulator = await startSimulator({ port });
for (const feed of describeFeeds(simulator.url)) {
  console.log(`${feed.agency.padEnd(8)} ${feed.method.padEnd(4)} ${feed.url}  ${feed.format}`);
}
// the simulator listens on loopback, which a hub refuses to call unless told otherwise
console.log(`\na hub pulling these feeds needs HUB_ALLOW_LOOPBACK_TARGETS=true (they are on ${new URL(simulator.url).hostname})`);

const stop = () => {
  simulator.close().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`simulator did not close cleanly: ${error.message}`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
