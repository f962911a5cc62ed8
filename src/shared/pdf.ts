import type { Logger } from 'pino';
import { chromiumCandidates } from '../config/config.js';
import { AppError, ErrorCode } from './errors.js';

/**
 * Prints an HTML page to PDF with Chromium (through playwright-core, loaded only when a PDF is asked
 * for: the hub starts and serves everything else without it). The page is our own markup with every
 * value escaped; it still runs with scripts off and every request refused, so it loads nothing.
 */

export interface PdfPage {
  html: string;
  /** Chromium's header and footer templates (the pageNumber and totalPages classes are filled in) */
  headerTemplate: string;
  footerTemplate: string;
}

// as test/dashboard.browser.test.ts launches it: headless, no sandbox (root in a container), nothing in the background
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const startTimeoutMs = 15_000;
/** A print that takes longer is given up (its Chromium closed): a hung browser never holds the queue. */
export const printTimeoutMs = 60_000;

/** Prints waiting their turn beyond this are refused (503): a burst queues a few, never a crowd. */
export const maxWaitingPrints = 10;

const unavailable = (message: string) => new AppError(ErrorCode.Unavailable, message);

let tail: Promise<void> = Promise.resolve();
let waiting = 0;

/** One Chromium at a time in this process: a burst of requests waits its turn instead of starting ten. */
export function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  if (waiting >= maxWaitingPrints) return Promise.reject(unavailable('the PDF printer is busy; try again shortly'));
  waiting += 1;
  const turn = tail.then(work);
  tail = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn.finally(() => {
    waiting -= 1;
  });
}

/** The PDF of one A4 portrait page, with the header and footer on every page. One browser per print, always closed. */
export async function printPdf(chromiumPath: string | undefined, logger: Logger, page: PdfPage): Promise<Buffer> {
  if (!chromiumPath) {
    throw unavailable(`PDF printing needs Chromium: none at ${chromiumCandidates.join(' or ')}; install it or set HUB_CHROMIUM_PATH`);
  }
  return oneAtATime(() => print(chromiumPath, logger, page));
}

async function print(chromiumPath: string, logger: Logger, { html, headerTemplate, footerTemplate }: PdfPage): Promise<Buffer> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    logger.error({ err: error }, 'playwright-core cannot be loaded: PDF printing is off');
    throw unavailable('PDF printing is not installed on this hub (playwright-core)');
  }
  let browser: import('playwright-core').Browser;
  try {
    browser = await playwright.chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      timeout: startTimeoutMs,
    });
  } catch (error) {
    logger.error({ err: error, chromiumPath }, 'Chromium did not start: PDF printing is unavailable');
    throw unavailable(`Chromium at ${chromiumPath} did not start; set HUB_CHROMIUM_PATH to a working Chromium`);
  }
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      logger.error({ chromiumPath, ms: printTimeoutMs }, 'Chromium did not finish a print in time: closed');
      reject(unavailable('the PDF took too long to print; try again shortly'));
    }, printTimeoutMs);
  });
  const work = async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const tab = await context.newPage();
    // the page is set, not loaded: any request it would make (a font, an image) is refused
    await tab.route('**/*', (route) => route.abort());
    await tab.setContent(html, { waitUntil: 'load', timeout: startTimeoutMs });
    return tab.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate,
      footerTemplate,
      margin: { top: '20mm', bottom: '18mm', left: '16mm', right: '16mm' },
    });
  };
  try {
    return await Promise.race([work(), givenUp]);
  } finally {
    clearTimeout(timer);
    await browser.close().catch((error: unknown) => logger.warn({ err: error }, 'Chromium did not close cleanly'));
  }
}
