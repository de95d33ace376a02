/**
 * The end-to-end scenario (test/e2e/scenario.ts) in desktop VS Code, when one is given: VSCODE_EXECUTABLE names its
 * binary (e.g. /usr/share/code/code, or one from @vscode/test-electron's downloadAndUnzipVSCode). The .vsix is
 * installed with that VS Code's own CLI (found by @vscode/test-electron) into a temp extensions folder, and the
 * window is driven by playwright-core's Electron driver. Without VSCODE_EXECUTABLE it says so and exits 0 (skipped).
 *
 * Run with `npm run test:e2e` (after the code-server run) or `node --import tsx test/e2e/electron.ts`; env as for
 * run.ts (BISE_VSIX, BISE_E2E_SCHEDULE, BISE_E2E_RUN_TIMEOUT_S, BISE_E2E_KEEP).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveCliPathFromVSCodeExecutablePath } from '@vscode/test-electron';
import { _electron, ElectronApplication, Page } from 'playwright-core';
import { runScenario } from './scenario';
import { makeE2eFolders, REPO } from './workspace';

const executable = process.env.VSCODE_EXECUTABLE;
const vsix = path.resolve(REPO, process.env.BISE_VSIX ?? 'bise-vscode-linux-x64.vsix');
const runTimeoutMs = Number(process.env.BISE_E2E_RUN_TIMEOUT_S ?? 900) * 1000;
const t0 = Date.now();
function step(message: string): void {
  console.log(`[e2e-electron ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

async function main(): Promise<number> {
  if (!executable) {
    console.log('e2e-electron: skipped — VSCODE_EXECUTABLE is not set. Set it to a desktop VS Code binary (e.g. /usr/share/code/code) to run the e2e scenario in VS Code itself as well as in code-server.');
    return 0;
  }
  for (const [what, p] of [['VSCODE_EXECUTABLE', executable], ['the .vsix (run npm run package)', vsix]]) {
    if (!fs.existsSync(p)) throw new Error(`missing ${what}: ${p}`);
  }
  const folders = makeE2eFolders('bise-e2e-electron-');
  const profile = [`--extensions-dir=${folders.extensions}`, `--user-data-dir=${folders.userData}`];
  const cli = resolveCliPathFromVSCodeExecutablePath(executable);
  step(`installing ${path.relative(REPO, vsix)} with ${cli}`);
  const install = spawnSync(cli, [...profile, '--install-extension', vsix], { encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`${cli} --install-extension failed (${install.status ?? install.signal}): ${install.stdout}${install.stderr}`);

  let app: ElectronApplication | undefined;
  let page: Page | undefined;
  let ok = false;
  try {
    app = await _electron.launch({
      executablePath: executable,
      args: [folders.workspace, ...profile, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-telemetry', '--disable-updates', '--no-sandbox', '--disable-gpu'],
      env: { ...process.env, VSCODE_CLI: '' },
      timeout: 90_000,
    });
    page = await app.firstWindow({ timeout: 90_000 });
    page.setDefaultTimeout(60_000);
    await page.setViewportSize({ width: 1600, height: 1000 }).catch(() => undefined);
    step(`VS Code window: ${await page.title()}`);
    await runScenario(page, { workspace: folders.workspace, schedule: process.env.BISE_E2E_SCHEDULE ?? 'quick', runTimeoutMs, shotPrefix: 'e2e-electron-', step });
    ok = true;
  } catch (e) {
    if (page) await page.screenshot({ path: path.join(folders.root, 'failure.png') }).catch(() => undefined);
    console.error(`failure screenshot: ${path.join(folders.root, 'failure.png')}`);
    throw e;
  } finally {
    await app?.close().catch(() => undefined);
    if (ok && process.env.BISE_E2E_KEEP !== '1') fs.rmSync(folders.root, { recursive: true, force: true });
    else console.log(`temp folder kept: ${folders.root}`);
  }
  step('e2e in VS Code passed');
  return 0;
}

const guard = setTimeout(() => {
  console.error('e2e-electron: over the time budget; giving up');
  process.exit(1);
}, runTimeoutMs + 10 * 60_000);
guard.unref();
main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`e2e-electron FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
