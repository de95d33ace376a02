/**
 * The end-to-end scenario in a VS Code workbench page (code-server in chromium, or desktop VS Code through
 * playwright's Electron driver): right-click model.onnx in the Explorer → "Extract Unbiased Subnetwork", check the
 * CSV column dropdowns of faces/list.csv, fill the form with a schedule, start the run, wait for the report (4 heatmap
 * rows: the demo CNN has 4 gated layers), open a layer's histogram by click and by keyboard, export the report and
 * check bise-reports/model/ in the workspace. Screenshots go to docs/screenshots/ with the given prefix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { ScenarioContext, runContextMenuItem, screenshotter } from './workbench';

/**
 * The schedules typed into the form. `demo` (the default) is `bise demo`'s setting (src/core/jobs/demo-setting.ts:
 * ρ 0.97, τ period 2, 10 auxiliary-head epochs, initial mask logit 0.1; about a minute on 2 cores), so the
 * screenshots show a meaningful result; `quick` (BISE_E2E_SCHEDULE=quick) checks the plumbing in seconds.
 */
export const SCHEDULES: Record<string, Record<string, string>> = {
  demo: { rho: '0.97', tauPeriod: '2', auxEpochs: '10', maskInit: '0.1' },
  quick: { trainSize: '2000', valSize: '500', testSize: '1000', maxEpochs: '4', tauPeriod: '1', auxEpochs: '1', probeEpochs: '5', randomSeeds: '2' },
};

export interface ScenarioOptions extends ScenarioContext {
  readonly schedule: string;
  readonly runTimeoutMs: number;
}


/** The content frame of the (only) BISE webview panel. */
function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready[src*="bise-vscode"]').frameLocator('#active-frame');
}

export async function runScenario(page: Page, o: ScenarioOptions): Promise<void> {
  const { step } = o;
  const formValues = SCHEDULES[o.schedule];
  if (!formValues) throw new Error(`BISE_E2E_SCHEDULE must be one of ${Object.keys(SCHEDULES).join(', ')}`);
  const shot = screenshotter(page, o);

  step('waiting for the workbench and the Explorer');
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'model.onnx' });
  await row.waitFor({ timeout: 120_000 });
  step('right-click model.onnx → Extract Unbiased Subnetwork');
  await runContextMenuItem(page, row, 'Extract Unbiased Subnetwork');

  const wv = webview(page);
  const start = wv.locator('#start-run');
  await start.waitFor({ timeout: 90_000 });
  await wv.locator('#model-summary').getByText('gated layers').waitFor({ timeout: 60_000 });
  step('form shown with the model summary (read by the worker)');

  const chooseDataset = async (id: string): Promise<void> => {
    await wv.locator('[data-field="dataset"]').evaluate((node, value) => {
      (node as unknown as { value: string }).value = value;
      node.dispatchEvent(new Event('change'));
    }, id);
  };
  step('choosing faces/list.csv: the column dropdowns offer its header, pre-selected by name');
  await chooseDataset('csv:faces/list.csv');
  await wv.locator('[data-csv="path"]').waitFor({ timeout: 10_000 });
  const chosen = await wv.locator('[data-csv]').evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-csv')}=${String((n as unknown as { value: unknown }).value)}`));
  if (chosen.join(' ') !== 'path=fname target=smiling bias=gender') throw new Error(`unexpected pre-selected CSV columns: ${chosen.join(' ')}`);
  await page.waitForTimeout(500);
  await shot('7-csv-columns.png');
  await chooseDataset('builtin:biased-mnist');
  await wv.locator('[data-field="rho"]').waitFor({ timeout: 10_000 });

  step(`typing the ${o.schedule} schedule`);
  for (const [field, value] of Object.entries(formValues)) {
    await wv.locator(`[data-field="${field}"]`).evaluate((node, v) => {
      (node as unknown as { value: string }).value = v;
    }, value);
  }
  await wv.locator('[data-field="probe"]').waitFor();
  await page.waitForTimeout(500);
  await shot('1-form.png');

  await start.click();
  step('run started; waiting for the live view');
  await wv.locator('#run:not([hidden])').waitFor({ timeout: 60_000 });
  const errors = await wv.locator('.field-error, #setup .banner').allTextContents();
  if (errors.length > 0) throw new Error(`the form refused the values: ${errors.join(' | ')}`);
  try {
    await wv.locator('#live-masks svg.heatmap').waitFor({ timeout: 120_000 });
    await page.waitForTimeout(500);
  } catch {
    step('no live heatmap before the screenshot (the run may have finished first)');
  }
  await shot('2-running.png');

  step(`waiting for the report (up to ${o.runTimeoutMs / 1000} s)`);
  await wv.locator('#report:not([hidden]) #report-masks, #run-status .banner').first().waitFor({ timeout: o.runTimeoutMs });
  if ((await wv.locator('#run-status .banner').count()) > 0) throw new Error(`the run failed: ${await wv.locator('#run-status').innerText()}`);
  const rows = await wv.locator('#report-masks svg.heatmap .mask-row').count();
  step(`report shown; heatmap rows: ${rows}`);
  if (rows !== 4) throw new Error(`expected 4 heatmap rows (4 gated layers), got ${rows}`);
  step(`headline: ${await wv.locator('#report h2 + p').first().innerText()}`);
  await wv.locator('#report').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  await shot('3-report.png');
  await wv.locator('#report-masks').evaluate((el) => (el.previousElementSibling ?? el).scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  await shot('4-report-masks.png');

  step('click the second heatmap row: its mask-logit histogram');
  await wv.locator('#report-masks .mask-row[data-row="1"]').click();
  const histogram = wv.locator('#report-masks svg.histogram');
  await histogram.waitFor({ timeout: 10_000 });
  const label = (await histogram.getAttribute('aria-label')) ?? '';
  if (!/^Mask logits of 1: .* kept, \d+ pruned of \d+ units/.test(label)) throw new Error(`unexpected histogram: ${label}`);
  if ((await wv.locator('#report-masks .mask-row[data-row="1"][aria-pressed="true"]').count()) !== 1) throw new Error('the clicked row is not marked as shown');
  step(`histogram: ${label}`);
  step('keyboard: focus the third row and press Enter');
  await wv.locator('#report-masks .mask-row[data-row="2"]').focus();
  await page.keyboard.press('Enter');
  await wv.locator('#report-masks svg.histogram[aria-label^="Mask logits of 2: "]').waitFor({ timeout: 10_000 });
  await wv.locator('#report-masks .mask-row[data-row="1"]').click();
  await wv.locator('#report-masks svg.histogram[aria-label^="Mask logits of 1: "]').waitFor({ timeout: 10_000 });
  await wv.locator('#report-masks').evaluate((el) => (el.previousElementSibling ?? el).scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  await shot('6-histogram.png');

  step('Export report into the repo');
  await wv.locator('#export').click();
  const dest = path.join(o.workspace, 'bise-reports', 'model');
  const expected = ['report.json', 'report.md', 'masks.json'];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !expected.every((f) => fs.existsSync(path.join(dest, f)))) await new Promise((r) => setTimeout(r, 250));
  const missing = expected.filter((f) => !fs.existsSync(path.join(dest, f)));
  if (missing.length > 0) throw new Error(`export did not write ${missing.join(', ')} under ${dest}`);
  const all = fs.readdirSync(dest, { recursive: true }).map(String).sort();
  if (!all.some((f) => f.endsWith('.onnx'))) throw new Error(`no pruned .onnx in ${dest}: ${all.join(', ')}`);
  if (!all.some((f) => f.startsWith('figures') && f.endsWith('.svg'))) throw new Error(`no figures/*.svg in ${dest}: ${all.join(', ')}`);
  const report = JSON.parse(fs.readFileSync(path.join(dest, 'report.json'), 'utf8')) as { masks?: unknown[] };
  if (!Array.isArray(report.masks) || report.masks.length !== 4) throw new Error(`report.json has ${report.masks?.length} mask groups, expected 4`);
  step(`exported: bise-reports/model/{${all.join(', ')}}`);
  // Export opens the exported report.md's preview (another webview): wait for its table before the screenshot.
  const preview = page.frameLocator('iframe.webview.ready[src*="markdown-language-features"]').frameLocator('#active-frame');
  try {
    await preview.locator('table').first().waitFor({ timeout: 30_000 });
  } catch {
    step('the report.md preview did not render a table in 30 s');
  }
  await page.waitForTimeout(1000);
  await shot('5-exported.png');
  // The preview hid the BISE panel (no retainContextWhenHidden): back on its tab, the panel is rebuilt from the
  // host's replay and shows where the report went.
  await page.locator('.tabs-container .tab').filter({ hasText: 'BISE report' }).click();
  await wv.locator('#report').getByText('exported to').waitFor({ timeout: 30_000 });
  step('the panel, shown again, says where the report was exported');
}
