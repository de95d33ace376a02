/**
 * End-to-end test of the packaged extension in a real VS Code workbench: code-server 4.100.3 (installed by
 * scripts/e2e-setup.sh into ~/.cache/bise-e2e) on 127.0.0.1, driven by Debian's chromium through playwright-core.
 *
 * It installs the .vsix into a temp extensions folder, opens a temp workspace (test/e2e/workspace.ts) and runs the
 * scenario of test/e2e/scenario.ts: right-click the model → form (CSV column dropdowns too) → run → report, a layer's
 * histogram → export; then test/e2e/scenario-more.ts: the audit, the Runs view, the walkthrough and the report in a
 * light theme; then test/e2e/scenario-new.ts: the model view, a text model's form and run, and "Convert to ONNX for
 * BISE" (its files: test/e2e/workspace-new.ts, whose Python with torch goes first on the workbench's PATH, env
 * BISE_E2E_PYTHON, default /usr/bin/python3). Screenshots go to docs/screenshots/. Everything is bounded in time,
 * and code-server is stopped (its process group) at the end. test/e2e/electron.ts runs the same scenario in desktop VS Code.
 *
 * Run with `npm run test:e2e`; env: BISE_VSIX (default bise-vscode-linux-x64.vsix), BISE_E2E_CACHE,
 * BISE_E2E_KEEP=1 keeps the temp folder, BISE_E2E_RUN_TIMEOUT_S (default 900) bounds the BISE run,
 * BISE_E2E_SCHEDULE=quick for a fast run.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { runScenario } from './scenario';
import { runMoreScenario } from './scenario-more';
import { runNewScenario } from './scenario-new';
import { makeE2eFolders, REPO } from './workspace';
import { addNewScenarioFiles } from './workspace-new';

const CS_VERSION = '4.100.3';
const cache = process.env.BISE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'bise-e2e');
const csEntry = path.join(cache, `code-server-${CS_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const vsix = path.resolve(REPO, process.env.BISE_VSIX ?? 'bise-vscode-linux-x64.vsix');
const runTimeoutMs = Number(process.env.BISE_E2E_RUN_TIMEOUT_S ?? 900) * 1000;
const TOTAL_TIMEOUT_MS = runTimeoutMs + 10 * 60_000;
const scheduleName = process.env.BISE_E2E_SCHEDULE ?? 'demo';

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

async function main(): Promise<void> {
  for (const [what, p] of [['code-server (run scripts/e2e-setup.sh)', csEntry], ['the .vsix (run npm run package)', vsix], ['chromium', '/usr/bin/chromium']]) {
    if (!fs.existsSync(p)) throw new Error(`missing ${what}: ${p}`);
  }
  const { root, workspace, extensions: extDir, userData } = makeE2eFolders('bise-e2e-');
  fs.mkdirSync(path.join(root, 'xdg-config'), { recursive: true });
  const torchPythonBin = addNewScenarioFiles(root, workspace);
  // "Convert to ONNX for BISE" runs python3 from PATH (no Python extension here): the one with torch goes first.
  // VSCODE_CLI=1, as when VS Code is started from a terminal (`code .`): the extension host takes this environment
  // instead of the login shell's, whose profile (e.g. pyenv's shims) would put another python3 first.
  const env = { ...process.env, PATH: `${torchPythonBin}${path.delimiter}${process.env.PATH ?? ''}`, VSCODE_CLI: '1', XDG_CONFIG_HOME: path.join(root, 'xdg-config'), XDG_DATA_HOME: path.join(root, 'xdg-data'), CS_DISABLE_GETTING_STARTED_OVERRIDE: '1' };
  const csArgs = ['--extensions-dir', extDir, '--user-data-dir', userData];

  step(`installing ${path.relative(REPO, vsix)} into ${extDir}`);
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

    await runScenario(page, { workspace, schedule: scheduleName, runTimeoutMs, shotPrefix: 'e2e-', step });
    await runMoreScenario(page, { workspace, shotPrefix: 'e2e-', step });
    await runNewScenario(page, { workspace, shotPrefix: 'e2e-', step });
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
