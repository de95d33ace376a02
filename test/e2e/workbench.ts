/**
 * Workbench gestures the e2e scenarios share: a command from the palette, an item of a right-click menu (retried
 * until the extension's contributions are registered), a row of a quick pick, the content frame of the visible
 * webview of an extension, the colour theme, and screenshots. Every wait is bounded and its error names what did not
 * appear.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { REPO } from './workspace';

/** Waits for `locator` up to `timeoutMs`; on timeout, throws an error that says what was awaited. */
export async function waitFor(locator: Locator, what: string, timeoutMs: number): Promise<void> {
  try {
    await locator.first().waitFor({ timeout: timeoutMs });
  } catch {
    throw new Error(`${what} did not appear in ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** The rows of the open quick input (command palette, quick pick). */
export function quickInputRows(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
}

/** Runs a command by its palette title (e.g. "Welcome: Open Walkthrough..."): F1, type, pick the exact row. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  try {
    await input.waitFor({ timeout: 5000 });
  } catch {
    // F1 goes nowhere while a webview's frame has the focus: the title bar's command center opens quick open too.
    await page.locator('.command-center .command-center-center').first().click({ timeout: 10_000 });
    await waitFor(input, 'the command palette (F1, then the command center)', 15_000);
  }
  await input.fill(`>${title}`);
  // The exact title: "View: Close Editor" must not pick "View: Close Editor Group".
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = quickInputRows(page).filter({ has: page.locator('.label-name', { hasText: exact }) });
  await waitFor(row, `the command palette row "${title}"`, 15_000);
  await row.first().click();
}

/** Picks the quick-pick row that contains `text`. */
export async function pickQuickInputRow(page: Page, text: string, timeoutMs: number): Promise<void> {
  const row = quickInputRows(page).filter({ hasText: text });
  await waitFor(row, `the quick pick row "${text}"`, timeoutMs);
  await row.first().click();
}

/**
 * Right-clicks `target` and runs the menu item `label`. The item appears once the extension host has registered
 * the extension's contributions, so the menu is closed and opened again until it does (up to `attempts` times).
 */
export async function runContextMenuItem(page: Page, target: Locator, label: string, attempts = 30): Promise<void> {
  const item = page.locator('.monaco-menu .action-item').filter({ hasText: label }).first();
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    try {
      await item.waitFor({ timeout: 3000 });
      break;
    } catch {
      if (attempt >= attempts) throw new Error(`the context menu never offered "${label}" (${attempts} tries)`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  // A click right after the menu opened is sometimes swallowed by the menu; the hovered item also runs on Enter.
  await item.hover();
  await page.waitForTimeout(300);
  await item.click();
  await page.waitForTimeout(1000);
  if (await page.locator('.monaco-menu').isVisible()) await page.keyboard.press('Enter');
}

/**
 * The content frame of the visible webview whose iframe src contains `extension` (e.g. "bise-vscode",
 * "markdown-language-features"); hidden editors' webviews may stay in the page, so only the visible one counts.
 */
export function visibleWebview(page: Page, extension: string): FrameLocator {
  return page.frameLocator(`iframe.webview.ready[src*="${extension}"]:visible`).frameLocator('#active-frame');
}

/** What every scenario is given: the workspace, the screenshots' name prefix and the progress log. */
export interface ScenarioContext {
  readonly workspace: string;
  /** Screenshot file names start with this ('e2e-' for code-server). */
  readonly shotPrefix: string;
  readonly step: (message: string) => void;
}

export type Shot = (name: string) => Promise<void>;

const SHOTS = path.join(REPO, 'docs', 'screenshots');

/** Saves the page as docs/screenshots/<prefix><name> and logs where. */
export function screenshotter(page: Page, o: ScenarioContext): Shot {
  fs.mkdirSync(SHOTS, { recursive: true });
  return async (name) => {
    const file = path.join(SHOTS, `${o.shotPrefix}${name}`);
    await page.screenshot({ path: file });
    o.step(`screenshot ${path.relative(REPO, file)}`);
  };
}

/** Switches the workbench to Light Modern or Dark Modern through the palette, unless it already is. */
export async function useTheme(page: Page, theme: 'light' | 'dark', timeoutMs: number): Promise<void> {
  const shown = page.locator(theme === 'light' ? '.monaco-workbench.vs:not(.vs-dark)' : '.monaco-workbench.vs-dark');
  if ((await shown.count()) > 0) return;
  await runFromPalette(page, 'Preferences: Color Theme');
  await pickQuickInputRow(page, theme === 'light' ? 'Light Modern' : 'Dark Modern', timeoutMs);
  await waitFor(shown, `the ${theme} workbench`, timeoutMs);
}
