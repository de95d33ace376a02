/**
 * End-to-end test of the packaged extension in a real VS Code workbench: code-server 4.100.3 (installed by
 * scripts/e2e-setup.sh into ~/.cache/bise-e2e) on 127.0.0.1, driven by Debian's chromium through playwright-core.
 *
 * It installs the .vsix into a temp extensions folder, opens a temp workspace holding a copy of the bundled demo
 * model (model.onnx), right-clicks it in the Explorer → "Extract Unbiased Subnetwork", fills the form with a quick
 * schedule, starts the run, waits for the report (4 heatmap rows: the demo CNN has 4 gated layers), exports it
 * and checks bise-reports/model/ in the workspace. Screenshots go to docs/screenshots/. Everything is bounded in
 * time, and code-server is stopped (its process group) at the end.
 *
 * Run with `npm run test:e2e`; env: BISE_VSIX (default bise-vscode-linux-x64.vsix), BISE_E2E_CACHE,
 * BISE_E2E_KEEP=1 keeps the temp folder, BISE_E2E_RUN_TIMEOUT_S (default 900) bounds the BISE run.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Browser, FrameLocator, Page } from 'playwright-core';

const repo = path.resolve(__dirname, '..', '..');
const CS_VERSION = '4.100.3';
const cache = process.env.BISE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'bise-e2e');
const csEntry = path.join(cache, `code-server-${CS_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const vsix = path.resolve(repo, process.env.BISE_VSIX ?? 'bise-vscode-linux-x64.vsix');
const shots = path.join(repo, 'docs', 'screenshots');
const runTimeoutMs = Number(process.env.BISE_E2E_RUN_TIMEOUT_S ?? 900) * 1000;
const TOTAL_TIMEOUT_MS = runTimeoutMs + 10 * 60_000;

/**
 * The schedules typed into the form. `demo` (the default) is `bise demo`'s setting (src/core/jobs/demo-setting.ts:
 * ρ 0.97, τ period 2, 10 auxiliary-head epochs, initial mask logit 0.1; about a minute on 2 cores), so the
 * screenshots show a meaningful result; `quick` (BISE_E2E_SCHEDULE=quick) checks the plumbing in seconds.
 */
const SCHEDULES: Record<string, Record<string, string>> = {
  demo: { rho: '0.97', tauPeriod: '2', auxEpochs: '10', maskInit: '0.1' },
  quick: { trainSize: '2000', valSize: '500', testSize: '1000', maxEpochs: '4', tauPeriod: '1', auxEpochs: '1', probeEpochs: '5', randomSeeds: '2' },
};
const scheduleName = process.env.BISE_E2E_SCHEDULE ?? 'demo';
const FORM_VALUES = SCHEDULES[scheduleName];
if (!FORM_VALUES) throw new Error(`BISE_E2E_SCHEDULE must be one of ${Object.keys(SCHEDULES).join(', ')}`);

const t0 = Date.now();
/** code-server's process group (killed by the overall time guard too). */
let serverPid: number | undefined;
function step(message: string): void {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}) before it answered`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer in ${timeoutMs / 1000} s`);
}

/** The content frame of the (only) BISE webview panel. */
function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready[src*="bise-vscode"]').frameLocator('#active-frame');
}

async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(shots, name);
  await page.screenshot({ path: file });
  step(`screenshot ${path.relative(repo, file)}`);
}

async function main(): Promise<void> {
  for (const [what, p] of [['code-server (run scripts/e2e-setup.sh)', csEntry], ['the .vsix (run npm run package)', vsix], ['chromium', '/usr/bin/chromium']]) {
    if (!fs.existsSync(p)) throw new Error(`missing ${what}: ${p}`);
  }
  fs.mkdirSync(shots, { recursive: true });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-e2e-'));
  const extDir = path.join(root, 'extensions');
  const userData = path.join(root, 'user-data');
  const workspace = path.join(root, 'workspace');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.mkdirSync(path.join(root, 'xdg-config'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'models', 'biased-mnist-rho0.97-cnn.onnx'), path.join(workspace, 'model.onnx'));
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'update.mode': 'none',
        'chat.disableAIFeatures': true,
        'workbench.colorTheme': 'Default Dark Modern',
      },
      null,
      2,
    ),
  );
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(root, 'xdg-config'), XDG_DATA_HOME: path.join(root, 'xdg-data'), CS_DISABLE_GETTING_STARTED_OVERRIDE: '1' };
  const csArgs = ['--extensions-dir', extDir, '--user-data-dir', userData];

  step(`installing ${path.relative(repo, vsix)} into ${extDir}`);
  const install = spawnSync(process.execPath, [csEntry, ...csArgs, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`--install-extension failed (${install.status ?? install.signal}): ${install.stdout}${install.stderr}`);
  const installed = fs.readdirSync(extDir).filter((d) => d.includes('bise-vscode'));
  if (installed.length !== 1) throw new Error(`the extension is not in ${extDir}: ${fs.readdirSync(extDir).join(', ')}`);
  step(`installed ${installed[0]}`);

  const port = await freePort();
  const log = fs.openSync(path.join(root, 'code-server.log'), 'a');
  const server = spawn(process.execPath, [csEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...csArgs, workspace], {
    env,
    stdio: ['ignore', log, log],
    detached: true,
  });
  serverPid = server.pid;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let ok = false;
  try {
    step(`code-server pid ${server.pid} on http://127.0.0.1:${port}`);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, server);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
      timeout: 60_000,
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 90_000 });

    step('waiting for the workbench and the Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'model.onnx' });
    await row.waitFor({ timeout: 120_000 });
    step('right-click model.onnx → Extract Unbiased Subnetwork');
    // The menu item appears once the extension host has registered the extension's contributions: until then
    // the context menu lacks it, so close the menu and right-click again.
    const item = page.locator('.monaco-menu .action-item').filter({ hasText: 'Extract Unbiased Subnetwork' }).first();
    for (let attempt = 1; ; attempt++) {
      await row.click({ button: 'right' });
      try {
        await item.waitFor({ timeout: 3000 });
        break;
      } catch (e) {
        if (attempt >= 30) throw new Error(`the Explorer context menu never offered "Extract Unbiased Subnetwork": ${String(e)}`);
        await page.keyboard.press('Escape');
        await page.waitForTimeout(1000);
      }
    }
    // A click right after the menu opened is sometimes swallowed by the menu; the hovered item also runs on Enter.
    await item.hover();
    await page.waitForTimeout(300);
    await item.click();
    const menu = page.locator('.monaco-menu');
    await page.waitForTimeout(1000);
    if (await menu.isVisible()) {
      step('the menu is still open after the click; pressing Enter on the hovered item');
      await page.keyboard.press('Enter');
    }

    const wv = webview(page);
    const start = wv.locator('#start-run');
    await start.waitFor({ timeout: 90_000 });
    step(`form shown; typing the ${scheduleName} schedule`);
    for (const [field, value] of Object.entries(FORM_VALUES)) {
      const el = wv.locator(`[data-field="${field}"]`);
      await el.evaluate((node, v) => {
        (node as unknown as { value: string }).value = v;
      }, value);
    }
    await wv.locator('[data-field="probe"]').waitFor();
    await page.waitForTimeout(500);
    await shot(page, 'e2e-1-form.png');

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
    await shot(page, 'e2e-2-running.png');

    step(`waiting for the report (up to ${runTimeoutMs / 1000} s)`);
    const reportOrFailure = wv.locator('#report:not([hidden]) #report-masks, #run-status .banner');
    await reportOrFailure.first().waitFor({ timeout: runTimeoutMs });
    const failed = await wv.locator('#run-status .banner').count();
    if (failed > 0) throw new Error(`the run failed: ${await wv.locator('#run-status').innerText()}`);
    const rows = await wv.locator('#report-masks svg.heatmap .mask-row').count();
    step(`report shown; heatmap rows: ${rows}`);
    if (rows !== 4) throw new Error(`expected 4 heatmap rows (4 gated layers), got ${rows}`);
    const headline = await wv.locator('#report h2 + p').first().innerText();
    step(`headline: ${headline}`);
    await wv.locator('#report').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
    await shot(page, 'e2e-3-report.png');
    await wv.locator('#report-masks').evaluate((el) => (el.previousElementSibling ?? el).scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
    await shot(page, 'e2e-4-report-masks.png');

    step('Export report into the repo');
    await wv.locator('#export').click();
    const dest = path.join(workspace, 'bise-reports', 'model');
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
    await shot(page, 'e2e-5-exported.png');
    // The preview hid the BISE panel (no retainContextWhenHidden): back on its tab, the panel is rebuilt from the
    // host's replay and shows where the report went.
    await page.locator('.tabs-container .tab').filter({ hasText: 'BISE report' }).click();
    await wv.locator('#report').getByText('exported to').waitFor({ timeout: 30_000 });
    step('the panel, shown again, says where the report was exported');
    ok = true;
  } catch (e) {
    if (page) await page.screenshot({ path: path.join(root, 'failure.png') }).catch(() => undefined);
    const logText = fs.existsSync(path.join(root, 'code-server.log')) ? fs.readFileSync(path.join(root, 'code-server.log'), 'utf8') : '';
    console.error(`code-server log (tail):\n${logText.split('\n').slice(-40).join('\n')}`);
    console.error(`failure screenshot: ${path.join(root, 'failure.png')}`);
    throw e;
  } finally {
    await browser?.close().catch(() => undefined);
    if (server.pid !== undefined && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 1000));
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // stopped
      }
    }
    fs.closeSync(log);
    if (ok && process.env.BISE_E2E_KEEP !== '1') fs.rmSync(root, { recursive: true, force: true });
    else console.log(`temp folder kept: ${root}`);
  }
  step('e2e passed');
}

const guard = setTimeout(() => {
  console.error(`e2e: over the ${TOTAL_TIMEOUT_MS / 1000} s budget; giving up`);
  if (serverPid !== undefined) {
    try {
      process.kill(-serverPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
guard.unref();
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`e2e FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(1);
  },
);
