// Bundles the CLI, the extension host, its worker, the image-decoding worker (Node, CommonJS) and the webview scripts (browser) into dist/.
// onnxruntime-node stays external: it is a native module loaded from node_modules at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/host/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/worker/main.ts', out: 'worker' },
  // The image-decoding threads of streamed datasets (src/core/data/streaming/decode-pool.ts loads it from dist/).
  { in: 'src/core/data/streaming/decode-worker.ts', out: 'decode-worker' },
  { in: 'webview/main.ts', out: 'webview', platform: 'browser' },
  // The model view of *.onnx files (src/host/model-editor.ts): a page of its own, without the panel's UI toolkit.
  { in: 'webview/model-view.ts', out: 'model-view', platform: 'browser' },
].filter((e) => existsSync(e.in));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

for (const e of entries) {
  await build({
    entryPoints: [e.in],
    outfile: `dist/${e.out}.js`,
    bundle: true,
    platform: e.platform ?? 'node',
    target: e.platform === 'browser' ? 'es2022' : 'node20',
    format: e.platform === 'browser' ? 'iife' : 'cjs',
    sourcemap: !production,
    minify: production,
    external: e.platform === 'browser' ? [] : ['onnxruntime-node', ...(e.external ?? [])],
    banner: e.out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
    logLevel: 'info',
  });
}
if (watch) console.log('watch mode is not implemented; rerun npm run build');
