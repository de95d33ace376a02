/**
 * Workbench gestures the e2e scenarios share beyond the first one: a command from the palette, an item of a
 * right-click menu (retried until the extension's contributions are registered), a row of a quick pick, and the
 * content frame of the visible webview of an extension. Every wait is bounded and its error names what did not
 * appear.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

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
