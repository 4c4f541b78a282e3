import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium package; the tests need `apt-get install -y chromium`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-artifacts/screenshots';

/** `extraArgs` adds switches, such as host-resolver rules that send test hostnames to loopback. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** Waits until the page's render finished (main carries data-ready) after navigating to a hash route. */
export async function open(page: Page, base: string, route: string): Promise<void> {
  await page.evaluate("document.querySelector('main')?.removeAttribute('data-ready')").catch(() => undefined);
  const url = `${base}/admin/#/${route}`;
  // Going to the URL the page is already at fires no hashchange: reload instead.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.waitForSelector('main[data-ready="true"]');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
