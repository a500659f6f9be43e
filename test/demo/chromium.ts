import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The Chromium the browser tests drive: $CHROMIUM_PATH when set, else the browser playwright
 * installed (`npx playwright install chromium`), else a chromium or chrome on PATH (the Debian
 * package .ci/run installs). null when there is none.
 */
export async function findChromium(): Promise<string | null> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const { chromium } = await import('playwright-core');
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // no browser downloaded for this playwright version
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}
