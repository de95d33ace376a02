/**
 * The e2e paths of issue 15's model view and checkpoints and issue 13's text models, after scenario-more.ts in the
 * same workbench page, on the files test/e2e/workspace-new.ts added to the workspace:
 * 1. the model view: a click on model.onnx in the Explorer opens BISE's custom editor (not the binary-file warning)
 *    with what `bise info` prints; its "Extract unbiased subnetwork" button opens the form; truncated.onnx shows
 *    the banner naming why it cannot be read. Screenshots in the light theme (where scenario-more left the
 *    workbench) and then the dark one, which the later parts keep;
 * 2. a text model: right-click text/bert-tiny.onnx → the form offers the CSV's texts (the image datasets disabled),
 *    its columns and the tokenizer next to the model; a one-epoch run gating MLP neurons and attention heads ends
 *    in a report with heads rows in its heatmap and the "Transformer blocks" table;
 * 3. "Convert to ONNX for BISE" on a TorchScript checkpoint (the form opens on the written .onnx) and on a text file
 *    named .pt (an error naming the problem).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { ScenarioContext, Shot, runContextMenuItem, runFromPalette, screenshotter, useTheme, visibleWebview, waitFor } from './workbench';
import { NEW_FILES } from './workspace-new';

export type NewScenarioOptions = ScenarioContext;

const UI_TIMEOUT_MS = 60_000;
/** The worker reads and analyses the model; generous on a loaded machine. */
const MODEL_READ_TIMEOUT_MS = 90_000;
/** One epoch on 9 texts, the probe and the baselines: seconds when idle. */
const TEXT_RUN_TIMEOUT_MS = 300_000;
/** Python starts, imports torch, traces and exports a tiny CNN: seconds when idle. */
const CONVERT_TIMEOUT_MS = 180_000;

/** What the model view shows for the bundled demo model (`bise info models/biased-mnist-rho0.97-cnn.onnx`). */
const DEMO_MODEL_FACTS = {
  input: ['input', 'float32', '[batch, 3, 28, 28]', "axis 0 ('batch')"],
  opset: 'ai.onnx 17',
  parameters: '98,730',
  flopsStart: '11.5 M per sample',
  gated: '4 dependency groups, 240 units',
};

/** The one-epoch schedule of the text run, and its text settings. */
const TEXT_FORM: Record<string, string> = { maxLength: '24', units: 'both', maxEpochs: '1', tauPeriod: '1', auxEpochs: '1', batchSize: '4', probeEpochs: '1', randomSeeds: '1' };


export async function runNewScenario(page: Page, o: NewScenarioOptions): Promise<void> {
  const shot = screenshotter(page, o);
  const started = Date.now();
  const timed = async (what: string, part: () => Promise<void>): Promise<void> => {
    const t = Date.now();
    await part();
    o.step(`${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  await timed('model view', () => modelView(page, o, shot));
  await timed('text model', () => textModel(page, o, shot));
  await timed('convert checkpoint', () => convertCheckpoint(page, o, shot));
  o.step(`new paths done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ---- workbench gestures of this scenario ----

/** Matches exactly `text` (a file name like model.onnx, a tab title), not a longer label containing it. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The Explorer row whose file or folder name is exactly `name`. */
function explorerRow(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(name) }) });
}

/** The Explorer row of `rel` (a workspace path like text/bert-tiny.onnx), its folders expanded first. */
async function revealInExplorer(page: Page, rel: string): Promise<Locator> {
  const parts = rel.split('/');
  for (const folder of parts.slice(0, -1)) {
    const row = explorerRow(page, folder);
    await waitFor(row, `the Explorer folder ${folder}`, UI_TIMEOUT_MS);
    if ((await row.first().getAttribute('aria-expanded')) !== 'true') await row.first().click();
  }
  const row = explorerRow(page, parts[parts.length - 1]);
  await waitFor(row, `the Explorer row ${rel}`, UI_TIMEOUT_MS);
  return row.first();
}

async function showExplorer(page: Page): Promise<void> {
  await runFromPalette(page, 'View: Show Explorer');
  await waitFor(page.locator('.explorer-folders-view'), 'the Explorer', UI_TIMEOUT_MS);
}

/** Switches the color theme unless the workbench already shows it; waits for the workbench's theme class. */
/** The active editor tab whose label is exactly `label`. */
function activeTab(page: Page, label: string): Locator {
  return page.locator('.tabs-container .tab.active').filter({ has: page.locator('.label-name', { hasText: exactly(label) }) });
}

/** The text of the notification toast that contains `text`, waited for up to `timeoutMs`. */
async function notification(page: Page, text: string | RegExp, what: string, timeoutMs: number): Promise<string> {
  const toast = page.locator('.notification-toast').filter({ hasText: text });
  await waitFor(toast, what, timeoutMs);
  return (await toast.first().locator('.notification-list-item-message').innerText()).trim();
}

async function clearNotifications(page: Page): Promise<void> {
  await runFromPalette(page, 'Notifications: Clear All Notifications');
}

/** The `<dt>` → `<dd>` texts of the model view's fact lists. */
async function facts(view: FrameLocator): Promise<Record<string, string>> {
  const pairs = await view.locator('dl.facts dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? '']));
  return Object.fromEntries(pairs.map(([k, v]) => [k.trim(), v.trim()]));
}

// ---- 1. the model view ----

async function modelView(page: Page, o: NewScenarioOptions, shot: Shot): Promise<void> {
  await runFromPalette(page, 'View: Close All Editors');
  await clearNotifications(page);
  await showExplorer(page);
  // The custom editor is known once the workbench has the extension's contributions (its activity bar icon too).
  await waitFor(page.locator('.activitybar .action-item [aria-label^="BISE"]'), 'the BISE icon in the activity bar', UI_TIMEOUT_MS);
  o.step('Explorer: click model.onnx → the BISE Model View');
  await (await revealInExplorer(page, 'model.onnx')).click();
  await waitFor(activeTab(page, 'model.onnx'), 'the active editor tab "model.onnx"', UI_TIMEOUT_MS);
  const view = visibleWebview(page, 'bise-vscode');
  const binary = page.locator('.editor-container').getByText('binary or uses an unsupported text encoding');
  const heading = view.locator('#app h1', { hasText: 'model.onnx' });
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while ((await heading.count()) === 0) {
    if ((await binary.count()) > 0) throw new Error('model.onnx opened with the binary-file warning, not the BISE Model View');
    if (Date.now() > deadline) throw new Error(`the model view of model.onnx (a BISE webview in the editor) did not appear in ${UI_TIMEOUT_MS / 1000} s`);
    await page.waitForTimeout(250);
  }
  await waitFor(view.locator('#app h2', { hasText: 'What BISE gates' }), "the model view's description after \"Reading the model…\"", MODEL_READ_TIMEOUT_MS);

  const inputRow = await view.locator('#app h2').evaluateAll((headings) => {
    const table = headings.find((h) => h.textContent === 'Inputs')?.nextElementSibling;
    return [...(table?.querySelectorAll('tbody tr:first-child td') ?? [])].map((td) => (td.textContent ?? '').trim());
  });
  if (inputRow.join(' | ') !== DEMO_MODEL_FACTS.input.join(' | ')) throw new Error(`the model view's Inputs row reads "${inputRow.join(' | ')}", expected "${DEMO_MODEL_FACTS.input.join(' | ')}"`);
  const f = await facts(view);
  const expectations: [string, boolean, string][] = [
    ['Opset', f.Opset === DEMO_MODEL_FACTS.opset, DEMO_MODEL_FACTS.opset],
    ['Parameters', f.Parameters === DEMO_MODEL_FACTS.parameters, DEMO_MODEL_FACTS.parameters],
    ['FLOPs', (f.FLOPs ?? '').startsWith(DEMO_MODEL_FACTS.flopsStart), `${DEMO_MODEL_FACTS.flopsStart}…`],
    ['Gated layers', f['Gated layers'] === DEMO_MODEL_FACTS.gated, DEMO_MODEL_FACTS.gated],
  ];
  for (const [key, ok, expected] of expectations) {
    if (!ok) throw new Error(`the model view's ${key} reads "${f[key] ?? '(missing)'}", expected "${expected}"`);
  }
  o.step(`model view: input ${inputRow.join(' | ')}; opset ${f.Opset}; ${f.Parameters} parameters; ${f['Gated layers']}`);

  await useTheme(page, 'light', UI_TIMEOUT_MS);
  await waitFor(view.locator('body.vscode-light #app h2'), 'the model view in the light theme', UI_TIMEOUT_MS);
  await page.waitForTimeout(500);
  await shot('light-11-model-view.png');
  await useTheme(page, 'dark', UI_TIMEOUT_MS);
  await waitFor(view.locator('body.vscode-dark #app h2'), 'the model view in the dark theme', UI_TIMEOUT_MS);
  await page.waitForTimeout(500);
  await shot('11-model-view.png');

  o.step('model view: "Extract unbiased subnetwork" → the set-up form of model.onnx');
  await view.locator('button#extract').click();
  await waitFor(activeTab(page, 'BISE: model.onnx'), 'the form\'s tab "BISE: model.onnx" after the model view\'s Extract button', UI_TIMEOUT_MS);
  const form = visibleWebview(page, 'bise-vscode');
  await waitFor(form.locator('#setup:not([hidden]) #start-run'), 'the set-up form of model.onnx', UI_TIMEOUT_MS);
  await waitFor(form.locator('#model-summary').getByText('gated layers'), "the form's model summary", MODEL_READ_TIMEOUT_MS);
  await runFromPalette(page, 'View: Close Editor');

  o.step(`Explorer: click ${NEW_FILES.truncatedModel} → the model view's error banner`);
  await (await revealInExplorer(page, NEW_FILES.truncatedModel)).click();
  await waitFor(activeTab(page, NEW_FILES.truncatedModel), `the active editor tab "${NEW_FILES.truncatedModel}"`, UI_TIMEOUT_MS);
  const banner = visibleWebview(page, 'bise-vscode').locator('#app .banner');
  await waitFor(banner, `the model view's banner for ${NEW_FILES.truncatedModel}`, MODEL_READ_TIMEOUT_MS);
  const text = (await banner.first().innerText()).trim();
  if (!text.startsWith('BISE cannot read this file: ') || !text.includes('is not a valid ONNX protobuf')) {
    throw new Error(`the banner for ${NEW_FILES.truncatedModel} reads "${text}", expected "BISE cannot read this file: …is not a valid ONNX protobuf…"`);
  }
  o.step(`model view banner: ${text}`);
  await runFromPalette(page, 'View: Close All Editors');
}

// ---- 2. a text model in the form ----

/** The value of the form control `[data-…]` (a string, or the chosen values of a multi-select). */
async function controlValue(form: FrameLocator, selector: string): Promise<string> {
  return form.locator(selector).evaluate((node) => {
    const value = (node as unknown as { value: unknown }).value;
    return Array.isArray(value) ? value.join(',') : String(value);
  });
}

async function textModel(page: Page, o: NewScenarioOptions, shot: Shot): Promise<void> {
  o.step(`Explorer: right-click ${NEW_FILES.textModel} → Extract Unbiased Subnetwork`);
  await showExplorer(page);
  await runContextMenuItem(page, await revealInExplorer(page, NEW_FILES.textModel), 'Extract Unbiased Subnetwork');
  await waitFor(activeTab(page, 'BISE: bert-tiny.onnx'), 'the form\'s tab "BISE: bert-tiny.onnx"', UI_TIMEOUT_MS);
  const form = visibleWebview(page, 'bise-vscode');
  await waitFor(form.locator('#model-summary').getByText('Takes token ids'), "the form's summary of a token model", MODEL_READ_TIMEOUT_MS);
  // The summary re-renders the form with the texts chosen and their fields.
  await waitFor(form.locator('[data-text="text"]'), "the text dataset's column dropdowns", UI_TIMEOUT_MS);

  const datasetId = `text:${NEW_FILES.textCsv}`;
  const dataset = await controlValue(form, '[data-field="dataset"]');
  if (dataset !== datasetId) throw new Error(`the form chose the dataset "${dataset}" for a token model, expected "${datasetId}"`);
  const chosenLabel = (await form.locator(`[data-field="dataset"] vscode-option[value="${datasetId}"]`).innerText()).trim();
  if (!chosenLabel.endsWith('(texts)')) throw new Error(`the text dataset's option reads "${chosenLabel}", expected "${NEW_FILES.textCsv} (texts)"`);
  const mnist = form.locator('[data-field="dataset"] vscode-option[value="builtin:biased-mnist"]');
  if ((await mnist.getAttribute('disabled')) === null) throw new Error(`BiasedMNIST is offered for a token model: "${(await mnist.innerText()).trim()}" is not disabled`);
  const columns = await Promise.all(['text', 'target', 'bias'].map(async (role) => `${role}=${await controlValue(form, `[data-text="${role}"]`)}`));
  if (columns.join(' ') !== 'text=comment_text target=toxic bias=identity') throw new Error(`unexpected pre-selected text columns: ${columns.join(' ')}`);
  const tokenizer = (await form.locator('[data-field="tokenizer"] vscode-option[selected]').innerText()).trim();
  if (tokenizer !== 'tokenizer.json next to the model') throw new Error(`the tokenizer reads "${tokenizer}", expected "tokenizer.json next to the model"`);
  o.step(`text form: ${chosenLabel}; ${columns.join(' ')}; tokenizer: ${tokenizer}; BiasedMNIST disabled`);

  for (const [field, value] of Object.entries(TEXT_FORM)) {
    const control = form.locator(`[data-field="${field}"]`);
    await waitFor(control, `the form field ${field}`, 10_000);
    await control.evaluate((node, v) => {
      (node as unknown as { value: string }).value = v;
    }, value);
  }
  await form.locator('#start-run').click();
  o.step(`text run started (${Object.entries(TEXT_FORM).map(([k, v]) => `${k} ${v}`).join(', ')}); waiting for its report (up to ${TEXT_RUN_TIMEOUT_MS / 1000} s)`);
  await waitFor(form.locator('#run:not([hidden])'), 'the live view of the text run', UI_TIMEOUT_MS);
  const errors = await form.locator('.field-error, #setup .banner').allTextContents();
  if (errors.length > 0) throw new Error(`the form refused the text run's values: ${errors.join(' | ')}`);
  await waitFor(form.locator('#report:not([hidden]) #report-masks, #run-status .banner'), 'the text run\'s report (or its failure)', TEXT_RUN_TIMEOUT_MS);
  if ((await form.locator('#run-status .banner').count()) > 0) throw new Error(`the text run failed: ${await form.locator('#run-status').innerText()}`);

  const rows = (await form.locator('#report-masks svg.heatmap .mask-row > text:first-of-type').allTextContents()).map((t) => t.trim());
  if (!rows.includes('layer.0 · heads')) throw new Error(`the text run's heatmap has no row "layer.0 · heads": ${rows.join(' | ')}`);
  const blocks = form.locator('#report h3', { hasText: 'Transformer blocks' });
  await waitFor(blocks, 'the report\'s "Transformer blocks" table', 10_000);
  o.step(`text report: heatmap rows ${rows.join(' | ')}; headline: ${(await form.locator('#report h2 + p').first().innerText()).trim()}`);
  await blocks.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  await shot('12-text.png');
  await runFromPalette(page, 'View: Close All Editors');
}

// ---- 3. Convert to ONNX for BISE ----

/** Right-click `rel` → Convert to ONNX for BISE, and answer the input-shape box with 3,28,28. */
async function startConversion(page: Page, rel: string): Promise<void> {
  await showExplorer(page);
  await runContextMenuItem(page, await revealInExplorer(page, rel), 'Convert to ONNX for BISE');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await waitFor(page.locator('.quick-input-widget .quick-input-title', { hasText: `convert ${path.posix.basename(rel)} to ONNX` }), `the input-shape box for ${rel}`, UI_TIMEOUT_MS);
  await input.fill('3,28,28');
  await page.keyboard.press('Enter');
}

async function convertCheckpoint(page: Page, o: NewScenarioOptions, shot: Shot): Promise<void> {
  await clearNotifications(page);
  o.step(`Explorer: right-click ${NEW_FILES.checkpoint} → Convert to ONNX for BISE, input 3,28,28`);
  await startConversion(page, NEW_FILES.checkpoint);
  const converted = await notification(page, /converted tiny-cnn\.pt|BISE could not convert/, 'the notification "BISE: converted tiny-cnn.pt …" (or an error)', CONVERT_TIMEOUT_MS);
  if (!converted.includes('converted tiny-cnn.pt')) throw new Error(`the conversion of ${NEW_FILES.checkpoint} failed: ${converted}`);
  o.step(`convert: ${converted}`);
  const onnx = path.join(o.workspace, ...NEW_FILES.converted.split('/'));
  if (!fs.existsSync(onnx)) throw new Error(`the conversion said it wrote ${NEW_FILES.converted}, but ${onnx} does not exist`);
  await waitFor(activeTab(page, 'BISE: tiny-cnn.onnx'), 'the form\'s tab "BISE: tiny-cnn.onnx" after the conversion', UI_TIMEOUT_MS);
  const form = visibleWebview(page, 'bise-vscode');
  await waitFor(form.locator('#setup:not([hidden]) #start-run'), 'the set-up form of tiny-cnn.onnx', UI_TIMEOUT_MS);
  await waitFor(form.locator('#model-summary').getByText('gated layers'), "the converted model's summary in the form", MODEL_READ_TIMEOUT_MS);
  o.step(`form on the converted model: ${(await form.locator('#model-summary').innerText()).trim()}`);
  await page.waitForTimeout(500);
  await shot('13-convert.png');
  await runFromPalette(page, 'View: Close All Editors');
  await clearNotifications(page);

  o.step(`Explorer: right-click ${NEW_FILES.notACheckpoint} (a text file) → Convert to ONNX for BISE`);
  await startConversion(page, NEW_FILES.notACheckpoint);
  const error = await notification(page, 'BISE could not convert', 'the error "BISE could not convert: …"', CONVERT_TIMEOUT_MS);
  if (!error.includes('notes.pt is not a PyTorch checkpoint')) throw new Error(`the conversion error does not say that notes.pt is not a checkpoint: ${error}`);
  o.step(`convert error: ${error}`);
  const written = fs.readdirSync(path.join(o.workspace, NEW_FILES.checkpointFolder)).filter((f) => f.startsWith('notes') && f.endsWith('.onnx'));
  if (written.length > 0) throw new Error(`the failed conversion left ${written.join(', ')} behind`);
  await clearNotifications(page);
}
