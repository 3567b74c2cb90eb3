/**
 * The browser and the page the dashboard tests drive: Debian's chromium through playwright-core
 * (no downloaded browser), the dashboard built fresh from web/ into a temporary folder (so the test
 * sees the source as it is, never a stale dist/web), screenshots into test-artifacts/dashboard.
 * A missing chromium fails the test with the command that installs it: nothing is skipped.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (Debian), or set CHROMIUM_PATH`,
    );
  // chromium's sandbox needs user namespaces it cannot have as root (CI containers run as root)
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/** Builds web/ into a temporary folder; returns it and its remover. */
export async function buildDashboard(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-dashboard-'));
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    root: join(ROOT, 'web'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A 1366x768 page (the laptop the dashboard is made for) that records every request it makes. */
export async function laptopPage(browser: Browser): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const requests: string[] = [];
  page.on('request', (r) => {
    requests.push(r.url());
  });
  return { page, requests };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
