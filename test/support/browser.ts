import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

// What the browser tests share: Debian's Chromium driven by playwright-core, headless and offline,
// and the folder their screenshots and downloads are kept in.

export const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where screenshots, PDFs and downloads of the tests are saved (CI keeps them). */
export const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** How long a page may take to show what a test waits for. */
export const wait = { timeout: 15_000 };

/** Starts Chromium; a machine without it fails the test file here (no silent skip). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 15_000 });
}

/** "#bfe0c9" → "rgb(191, 224, 201)", as getComputedStyle answers */
export const rgb = (hex: string) => {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
};
/** no background at all, as getComputedStyle answers */
export const transparent = 'rgba(0, 0, 0, 0)';

/** Opens the dashboard of the hub at `base` and logs a person in with the name and password form. */
export async function logInWithPassword(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(`${base}/dashboard/`);
  await page.waitForSelector('#password-form', { state: 'visible', ...wait });
  await page.fill('#user-name', name);
  await page.fill('#password', password);
  await page.click('#password-button');
}

/** Opens the dashboard of the hub at `base` and logs in with an API token (the system administrators' form). */
export async function logInWithToken(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/dashboard/`);
  await page.waitForSelector('#login-form', { state: 'visible', ...wait });
  await page.fill('#token', token);
  await page.click('#login-button');
}
