// The platforms the extension is packaged for, and the onnxruntime-node native files each .vsix carries.
// onnxruntime-node's dist/binding.js loads `../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`
// at run time, and that addon loads the onnxruntime library from its own folder (rpath $ORIGIN / @loader_path on
// Linux and macOS; on Windows node loads addons with LOAD_WITH_ALTERED_SEARCH_PATH, so the DLLs beside it are found).
// A vsce target is `<process.platform>-<process.arch>`, so the folder follows from the target's name.
//
// Why these files:
// - darwin-arm64: npm ships libonnxruntime.1.30.0.dylib as a byte-identical copy of libonnxruntime.1.dylib (a
//   symlink in the upstream build); the addon links @rpath/libonnxruntime.1.dylib only, so the copy (44 MB) stays out.
// - win32: onnxruntime.dll is linked by the addon; DirectML.dll (the dml provider) and dxil.dll / dxcompiler.dll
//   (shader compilation for the webgpu provider, a bise.executionProvider choice) are loaded by onnxruntime.dll on
//   demand, so they are kept.
export const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';

export const TARGETS = {
  'linux-x64': ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  'linux-arm64': ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  'darwin-arm64': ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'],
  'win32-x64': ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll', 'dxil.dll', 'dxcompiler.dll'],
  'win32-arm64': ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll', 'dxil.dll', 'dxcompiler.dll'],
};

/** The folder (relative to the extension root) whose addon onnxruntime-node loads on `target`. */
export function nativeFolder(target) {
  const [platform, arch] = target.split('-');
  return `${ORT_BIN}/${platform}/${arch}`;
}

/** bise-vscode-<target>.vsix, the name `npm run package` writes and CI / the e2e test read. */
export function vsixName(target) {
  return `bise-vscode-${target}.vsix`;
}

/** The targets named by `--target a,b` / `--target a --target b` in `argv`, else all of them; unknown names throw. */
export function targetsFromArgs(argv) {
  const named = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target' || argv[i] === '-t') named.push(...(argv[++i] ?? '').split(','));
    else if (argv[i].startsWith('--target=')) named.push(...argv[i].slice('--target='.length).split(','));
    else throw new Error(`unknown argument '${argv[i]}'; use --target ${Object.keys(TARGETS).join('|')} (repeatable), or nothing for all`);
  }
  for (const t of named) {
    if (!(t in TARGETS)) throw new Error(`unknown target '${t}'; the targets are ${Object.keys(TARGETS).join(', ')}`);
  }
  return named.length > 0 ? [...new Set(named)] : Object.keys(TARGETS);
}

/** The scripts' command line: the targets it names, or a one-line message and exit code 2. */
export function targetsOrExit(argv) {
  try {
    return targetsFromArgs(argv);
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
}
