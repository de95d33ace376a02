// Packages one .vsix per platform with vsce (`vsce package --target <t>`), each carrying only that platform's
// onnxruntime-node binaries: .vscodeignore lists what every package holds and no native files; for each target a
// temporary ignore file adds that target's files (scripts/vsix-targets.mjs) and vsce reads it (--ignoreFile).
// Run after `node esbuild.mjs --production` (npm run package does both).
//   node scripts/package-vsix.mjs                      all targets → bise-vscode-<target>.vsix
//   node scripts/package-vsix.mjs --target linux-x64   one (repeatable, or comma-separated)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGETS, nativeFolder, targetsOrExit, vsixName } from './vsix-targets.mjs';

const targets = targetsOrExit(process.argv.slice(2));
const vsce = createRequire(import.meta.url).resolve('@vscode/vsce/vsce');
const base = readFileSync('.vscodeignore', 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'bise-package-'));
const mb = (bytes) => (bytes / 1e6).toFixed(1);

try {
  for (const target of targets) {
    const files = TARGETS[target].map((f) => `${nativeFolder(target)}/${f}`);
    for (const f of files) {
      if (!existsSync(f)) throw new Error(`${f} is missing: reinstall onnxruntime-node (npm ci) before packaging for ${target}`);
    }
    const ignoreFile = join(tmp, `vscodeignore-${target}`);
    writeFileSync(ignoreFile, `${base}\n# ${target}: onnxruntime-node's native files for this platform only\n${files.map((f) => `!${f}`).join('\n')}\n`);
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsixName(target)],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error(`vsce package --target ${target} failed (exit ${r.status ?? r.signal})`);
    console.log(`${vsixName(target)}: ${mb(statSync(vsixName(target)).size)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
