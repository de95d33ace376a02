// Checks the file list of every platform's .vsix (npm run package) without unpacking it: the manifest names its
// target; its onnxruntime-node addon and libraries are there, whole (same size as in node_modules), built for that
// platform (their ELF / Mach-O / PE header), in the folder onnxruntime-node's loader will look in on that platform;
// no other platform's native file is; the bundles are.
// Prints each package's size. Exit 1 with every problem listed.
//   node scripts/check-vsix-files.mjs                      all targets (bise-vscode-<target>.vsix in the cwd)
//   node scripts/check-vsix-files.mjs --target win32-x64   one (repeatable, or comma-separated)
import { existsSync, statSync } from 'node:fs';
import { binaryPlatform } from './binary-platform.mjs';
import { ORT_BIN, TARGETS, nativeFolder, targetsOrExit, vsixName } from './vsix-targets.mjs';
import { zipEntries, zipEntryData } from './zip-entries.mjs';

const ROOT = 'extension/';
const REQUIRED = ['package.json', 'dist/extension.js', 'dist/worker.js', 'dist/webview.js', 'dist/cli.js', 'node_modules/onnxruntime-node/dist/binding.js', 'node_modules/onnxruntime-common/package.json', 'python/convert_to_onnx.py'];
// What onnxruntime-node 1.30's dist/binding.js requires; if an upgrade changes it, nativeFolder() must follow.
const LOADER_PATH = 'bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node';
const NATIVE = /\.(node|dll|dylib|so)(\.\d+)*$/i;
const mb = (bytes) => (bytes / 1e6).toFixed(1);

function check(target) {
  const file = vsixName(target);
  if (!existsSync(file)) return { problems: [`${file} is missing; run npm run package`] };
  const problems = [];
  const entries = zipEntries(file);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const manifest = byName.get('extension.vsixmanifest');
  if (!manifest) problems.push(`${file}: no extension.vsixmanifest`);
  else if (!zipEntryData(file, manifest).toString('utf8').includes(`TargetPlatform="${target}"`)) problems.push(`${file}: extension.vsixmanifest does not name TargetPlatform="${target}"`);
  for (const f of REQUIRED) if (!byName.has(ROOT + f)) problems.push(`${file}: ${f} is missing`);
  const binding = byName.get(`${ROOT}node_modules/onnxruntime-node/dist/binding.js`);
  if (binding && !zipEntryData(file, binding).toString('utf8').includes(LOADER_PATH)) {
    problems.push(`${file}: onnxruntime-node's dist/binding.js no longer loads ${LOADER_PATH}; update nativeFolder() in scripts/vsix-targets.mjs`);
  }
  const expected = new Set(TARGETS[target].map((f) => `${nativeFolder(target)}/${f}`));
  for (const f of expected) {
    const e = byName.get(ROOT + f);
    if (!e) problems.push(`${file}: ${f} is missing`);
    else if (existsSync(f) && statSync(f).size !== e.size) problems.push(`${file}: ${f} holds ${e.size} bytes, node_modules ${statSync(f).size}`);
    else {
      const built = binaryPlatform(zipEntryData(file, e, 4096));
      if (built !== target) problems.push(`${file}: ${f} is built for ${built ?? 'an unknown platform'}, not ${target}`);
    }
  }
  const foreign = entries.map((e) => e.name.slice(ROOT.length)).filter((n) => !expected.has(n) && (n.startsWith(`${ORT_BIN}/`) || NATIVE.test(n)));
  for (const n of foreign) problems.push(`${file}: ${n} does not belong in the ${target} package`);
  const native = entries.filter((e) => expected.has(e.name.slice(ROOT.length)));
  return {
    problems,
    row: {
      target,
      file,
      bytes: statSync(file).size,
      entries: entries.length,
      nativeSize: native.reduce((s, e) => s + e.size, 0),
      nativeCompressed: native.reduce((s, e) => s + e.compressedSize, 0),
    },
  };
}

const targets = targetsOrExit(process.argv.slice(2));
const results = targets.map(check);
const rows = results.flatMap((r) => (r.row ? [r.row] : []));
console.log('| package | size | files | native files (unpacked → packed) |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.file} | ${mb(r.bytes)} MB | ${r.entries} | ${mb(r.nativeSize)} → ${mb(r.nativeCompressed)} MB |`);
const problems = results.flatMap((r) => r.problems);
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`\nvsix files ok: ${rows.length} package(s), each with its own platform's onnxruntime-node binaries and no other's`);
