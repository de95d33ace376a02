/**
 * The e2e paths after the main scenario (test/e2e/scenario.ts), in the same workbench page and workspace:
 * 1. the audit: right-click model.onnx → "Audit Model for Bias", pick BiasedMNIST (the saved choice the main
 *    run wrote, so its sizes), and its report.md preview (per-group accuracy, group fairness);
 * 2. the Runs view (activity bar "BISE"): the exported extraction with its headline numbers and the audit; a click
 *    on the exported one opens its report in the panel;
 * 3. the walkthrough, opened from the command palette, with its five steps;
 * 4. the "Default Light Modern" theme: the report panel's charts and heatmap in light, with the contrast of their
 *    text and axes against their background measured in the page.
 * Screenshots go to docs/screenshots/ (dark ones `<prefix>8…`–`<prefix>10…`, light ones `<prefix>light-…`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { contrastRatio, luminance, parseCssColour } from './colour-contrast';
import { ScenarioContext, Shot, pickQuickInputRow, quickInputRows, runContextMenuItem, runFromPalette, screenshotter, useTheme, visibleWebview, waitFor } from './workbench';
import { REPO } from './workspace';

export type MoreScenarioOptions = ScenarioContext;

/** Generous: the machine may be shared, and the audit loads data and trains a probe per layer. */
const AUDIT_TIMEOUT_MS = 300_000;
const UI_TIMEOUT_MS = 60_000;
/** WCAG's minimum for large text and graphical objects; chart labels below it would be unreadable. */
const MIN_CONTRAST = 3;
/** The panel title of the exported report (its folder's name), not the main run's "BISE report: model.onnx". */
const EXPORTED_TAB = /^BISE report: model$/;

interface Walkthrough {
  readonly id: string;
  readonly title: string;
  readonly steps: readonly { readonly title: string }[];
}

export async function runMoreScenario(page: Page, o: MoreScenarioOptions): Promise<void> {
  const shot = screenshotter(page, o);
  await audit(page, o, shot);
  await runsView(page, o, shot);
  await walkthrough(page, o, shot);
  await lightTheme(page, o, shot);
}


async function audit(page: Page, o: MoreScenarioOptions, shot: Shot): Promise<void> {
  o.step('Explorer: right-click model.onnx → Audit Model for Bias');
  await runFromPalette(page, 'View: Show Explorer');
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^model\.onnx$/ }) });
  await waitFor(row, 'the Explorer row model.onnx', UI_TIMEOUT_MS);
  await runContextMenuItem(page, row.first(), 'Audit Model for Bias');
  // The main run saved its form next to the model, so the audit offers BiasedMNIST first as the saved choice.
  const saved = quickInputRows(page).first();
  await waitFor(saved, 'the audit\'s dataset quick pick', UI_TIMEOUT_MS);
  const first = await saved.innerText();
  if (!/BiasedMNIST/.test(first) || !/saved choice/.test(first)) throw new Error(`the audit's first dataset is not BiasedMNIST as the saved choice: ${first.replace(/\s+/g, ' ')}`);
  await pickQuickInputRow(page, 'BiasedMNIST', 10_000);
  o.step(`audit started; waiting for its report.md preview (up to ${AUDIT_TIMEOUT_MS / 1000} s)`);

  const preview = visibleWebview(page, 'markdown-language-features');
  await waitFor(preview.locator('h1', { hasText: 'BISE audit: model.onnx' }), 'the audit report.md preview', AUDIT_TIMEOUT_MS);
  for (const heading of ['Accuracy on the test set', 'Group fairness']) {
    await waitFor(preview.locator('h2', { hasText: heading }), `the audit report's section "${heading}"`, 10_000);
  }
  const header = (await preview.locator('table').first().locator('th').allInnerTexts()).map((t) => t.trim());
  for (const column of ['Unbiased', 'Bias-aligned', 'Bias-conflicting', 'Worst group']) {
    if (!header.includes(column)) throw new Error(`the audit's accuracy table lacks the column "${column}": ${header.join(' | ')}`);
  }
  const fairness = await preview.locator('th', { hasText: 'Demographic parity difference' }).count();
  if (fairness === 0) throw new Error('the audit report shows no demographic parity difference column');
  const notice = page.locator('.notification-toast', { hasText: 'BISE audit of model.onnx' });
  await waitFor(notice, 'the notification "BISE audit of model.onnx: …"', 30_000);
  o.step(`audit done: ${(await notice.first().locator('.notification-list-item-message').innerText()).trim()}`);
  await page.waitForTimeout(1000);
  await shot('8-audit.png');
}

async function runsView(page: Page, o: MoreScenarioOptions, shot: Shot): Promise<void> {
  o.step('activity bar BISE → Runs view');
  await page.keyboard.press('Escape');
  const icon = page.locator('.activitybar .action-item [aria-label^="BISE"]');
  await waitFor(icon, 'the BISE icon in the activity bar', UI_TIMEOUT_MS);
  await icon.first().click();
  const rows = page.locator('[id="workbench.view.extension.bise"] .monaco-list-row');
  const exportedJson = path.join(o.workspace, 'bise-reports', 'model', 'report.json');
  // A tree item's aria-label is its tooltip, which ends with the report's path.
  const exportedRow = page.locator(`[id="workbench.view.extension.bise"] .monaco-list-row[aria-label*="${exportedJson}"]`);
  await waitFor(exportedRow, `the Runs view row of the exported report (${exportedJson})`, UI_TIMEOUT_MS);
  await waitFor(rows.filter({ hasText: 'model.onnx · audit' }), 'the Runs view row "model.onnx · audit"', UI_TIMEOUT_MS);

  const report = JSON.parse(fs.readFileSync(exportedJson, 'utf8')) as {
    metrics: { vanilla: { unbiasedAccuracy: number }; subnetwork: { unbiasedAccuracy: number } };
    pruning: { unitsBefore: number; unitsAfter: number };
  };
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const { vanilla, subnetwork } = report.metrics;
  const headline = `unbiased ${pct(vanilla.unbiasedAccuracy)} → ${pct(subnetwork.unbiasedAccuracy)}, ${report.pruning.unitsBefore - report.pruning.unitsAfter} of ${report.pruning.unitsBefore} units removed`;
  const [label, description] = await Promise.all(['.label-name', '.label-description'].map(async (part) => (await exportedRow.first().locator(part).innerText()).trim()));
  if (label !== 'model.onnx · extraction' || !description.startsWith(headline)) throw new Error(`the Runs view row of the exported run reads "${label}" "${description}", expected "model.onnx · extraction" "${headline} · <date>"`);
  o.step(`Runs view: ${await rows.count()} runs; the exported one: ${label} — ${description}`);

  await exportedRow.first().click();
  const tab = page.locator('.tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: EXPORTED_TAB }) });
  await waitFor(tab, 'the active editor tab "BISE report: model" after the click', UI_TIMEOUT_MS);
  const wv = visibleWebview(page, 'bise-vscode');
  await waitFor(wv.locator('#report:not([hidden]) #report-masks svg.heatmap'), 'the clicked run\'s report with its heatmap', UI_TIMEOUT_MS);
  await widenSideBar(page, 520);
  await page.waitForTimeout(500);
  await shot('9-runs-view.png');
}

/** Drags the side bar's edge so that it is `width` pixels wide (the runs' headline numbers fit on one line). */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('[id="workbench.parts.sidebar"]').boundingBox();
  if (!box) throw new Error('the side bar is not shown');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
  // Off the edge, which stays highlighted while hovered.
  await page.mouse.move(box.x + width + 300, box.y + box.height - 10);
}

async function walkthrough(page: Page, o: MoreScenarioOptions, shot: Shot): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: { walkthroughs: Walkthrough[] } };
  const wt = manifest.contributes.walkthroughs[0];
  o.step(`command palette → Welcome: Open Walkthrough... → ${wt.title}`);
  await runFromPalette(page, 'Welcome: Open Walkthrough...');
  await pickQuickInputRow(page, wt.title, UI_TIMEOUT_MS);
  const container = page.locator('.gettingStartedContainer');
  await waitFor(container.locator('.getting-started-category h2, .category-title', { hasText: wt.title }), `the walkthrough page "${wt.title}"`, UI_TIMEOUT_MS);
  for (const s of wt.steps) {
    await waitFor(container.locator('.getting-started-step .step-title', { hasText: s.title }), `the walkthrough step "${s.title}"`, 10_000);
  }
  o.step(`walkthrough lists its ${wt.steps.length} steps: ${wt.steps.map((s) => s.title).join(' · ')}`);
  await page.waitForTimeout(1000);
  await shot('10-walkthrough.png');
  await runFromPalette(page, 'View: Close Editor');
}

async function lightTheme(page: Page, o: MoreScenarioOptions, shot: Shot): Promise<void> {
  o.step('command palette → Preferences: Color Theme → Default Light Modern');
  await useTheme(page, 'light', UI_TIMEOUT_MS);

  await page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: EXPORTED_TAB }) }).first().click();
  const wv = visibleWebview(page, 'bise-vscode');
  await waitFor(wv.locator('body.vscode-light #report:not([hidden]) #report-masks svg.heatmap'), 'the report panel in the light theme', UI_TIMEOUT_MS);
  await checkFigureContrast(wv, o);

  await wv.locator('#report').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  await shot('light-3-report.png');
  await wv.locator('#report-masks').evaluate((el) => (el.previousElementSibling ?? el).scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  await shot('light-4-report-masks.png');
  await scrollToHeading(wv, 'Bias probe');
  await shot('light-probe.png');
}

async function scrollToHeading(wv: FrameLocator, heading: string): Promise<void> {
  const h2 = wv.locator('#report h2', { hasText: heading }).first();
  await h2.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await new Promise((r) => setTimeout(r, 500));
}

/**
 * Every figure of the report panel (accuracy, probe, training curves, heatmap): its frame is light in the light
 * theme, and its text and axis lines stand out from the frame (not white on white, not the dark palette's ink).
 */
async function checkFigureContrast(wv: FrameLocator, o: MoreScenarioOptions): Promise<void> {
  // No named functions inside: tsx would wrap them in a helper (__name) that the page does not have.
  const figures = await wv.locator('#report svg:has(rect.fig-bg)').evaluateAll((svgs) =>
    svgs.map((svg) => {
      // The page's window (this project compiles without the DOM library).
      const { getComputedStyle } = globalThis as unknown as { getComputedStyle(el: unknown): { fill: string; stroke: string } };
      const [bg, muted, axis] = ['rect.fig-bg', 'text.fig-muted', '.fig-axis'].map((selector) => svg.querySelector(selector));
      return {
        name: svg.getAttribute('aria-label') ?? svg.querySelector('title')?.textContent ?? svg.getAttribute('class') ?? 'svg',
        background: bg ? getComputedStyle(bg).fill : null,
        ink: getComputedStyle(svg).fill,
        mutedText: muted ? getComputedStyle(muted).fill : null,
        axis: axis ? getComputedStyle(axis).stroke : null,
      };
    }),
  );
  if (figures.length < 3) throw new Error(`expected the report panel's figures (accuracy, probe, training curves), found ${figures.length} with a themed frame`);
  for (const f of figures) {
    const where = `figure "${f.name.slice(0, 60)}"`;
    if (f.background === null) throw new Error(`${where} has no frame`);
    const background = parseCssColour(f.background);
    if (luminance(background) < 0.6) throw new Error(`${where}: its frame is ${f.background} in the light theme (dark)`);
    for (const [role, colour] of [['text', f.ink], ['secondary text', f.mutedText], ['axis', f.axis]] as const) {
      if (colour === null) continue;
      const ratio = contrastRatio(parseCssColour(colour), background);
      if (ratio < MIN_CONTRAST) throw new Error(`${where}: its ${role} ${colour} on ${f.background} has contrast ${ratio.toFixed(2)}, under ${MIN_CONTRAST}`);
    }
  }
  // The heatmap is drawn by the panel itself, its labels in the text colour (currentColor) on the editor background.
  const heatmap = await wv.locator('#report-masks svg.heatmap .mask-row text').first().evaluate((text) => {
    const { getComputedStyle, document } = globalThis as unknown as { getComputedStyle(el: unknown): { fill: string; getPropertyValue(name: string): string }; document: { documentElement: unknown } };
    return { label: getComputedStyle(text).fill, editor: getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background').trim() };
  });
  const heatmapRatio = contrastRatio(parseCssColour(heatmap.label), parseCssColour(heatmap.editor));
  if (heatmapRatio < MIN_CONTRAST) throw new Error(`the heatmap's layer names ${heatmap.label} on the editor background ${heatmap.editor} have contrast ${heatmapRatio.toFixed(2)}, under ${MIN_CONTRAST}`);
  o.step(`light theme: heatmap labels ${heatmap.label} on ${heatmap.editor}, contrast ${heatmapRatio.toFixed(1)}`);
  o.step(`light theme: ${figures.length} figures, frame ${figures[0].background}, text contrast ≥ ${MIN_CONTRAST} (${figures.map((f) => contrastRatio(parseCssColour(f.ink), parseCssColour(f.background ?? '#fff')).toFixed(1)).join(', ')})`);
}
