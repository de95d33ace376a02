/** The VS Code manifest: the command where the brief puts it, trust, settings, pinned types; the bundles build. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  name: string;
  publisher?: string;
  engines: { vscode: string };
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; description?: string } };
  contributes: {
    commands: { command: string; title: string; enablement?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { type: string; default: unknown }> };
  };
  devDependencies: Record<string, string>;
}

const root = path.join(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

test('bise.extractSubnetwork is on .onnx files in the explorer and editor title, and in the palette', () => {
  const m = manifest.contributes.menus;
  for (const menu of ['explorer/context', 'editor/title']) {
    const item = m[menu].find((i) => i.command === 'bise.extractSubnetwork');
    assert.ok(item, menu);
    assert.match(item.when ?? '', /resourceExtname == \.onnx/);
    assert.match(item.when ?? '', /isWorkspaceTrusted/);
  }
  assert.ok(m.commandPalette.some((i) => i.command === 'bise.extractSubnetwork'));
  const declared = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const items of Object.values(m)) for (const i of items) assert.ok(declared.has(i.command), `${i.command} is declared`);
  // Every declared command is registered by activate (commands contribute their own activation events).
  const source = fs.readFileSync(path.join(root, 'src/host/extension.ts'), 'utf8');
  for (const c of declared) assert.ok(source.includes(`'${c}'`), `${c} is registered`);
});

test('restricted workspaces: limited support with a reason; running commands need trust', () => {
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.match(manifest.capabilities.untrustedWorkspaces.description ?? '', /Restricted Mode/);
  for (const c of ['bise.extractSubnetwork', 'bise.runDemo', 'bise.exportReport']) {
    assert.equal(manifest.contributes.commands.find((x) => x.command === c)?.enablement, 'isWorkspaceTrusted');
  }
});

test('a publisher, so the extension id is stable (bise-vscode.bise-vscode) and vsce packages without a warning', () => {
  assert.equal(manifest.publisher, 'bise-vscode');
  assert.match(`${manifest.publisher}.${manifest.name}`, /^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/);
});

test('settings, activation and pinned types', () => {
  const props = manifest.contributes.configuration.properties;
  assert.deepEqual(props['bise.reportsFolder'], { ...props['bise.reportsFolder'], type: 'string', default: 'bise-reports' });
  assert.equal(props['bise.executionProvider'].default, 'cpu');
  assert.deepEqual(manifest.activationEvents, ['onWebviewPanel:bise.panel']);
  assert.equal(manifest.main, './dist/extension.js');
  assert.match(manifest.devDependencies['@types/vscode'], /^1\.90\.\d+$/, 'pinned to the engines.vscode minimum');
  assert.equal(manifest.engines.vscode, '^1.90.0');
  assert.equal(manifest.devDependencies['@vscode-elements/elements'], '2.5.1');
});

test('the walkthrough: demo, own model, audit, extract, export; each step shows a media file that exists and runs a declared command', () => {
  const walkthroughs = (manifest.contributes as unknown as { walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown: string }; completionEvents: string[] }[] }[] }).walkthroughs;
  assert.equal(walkthroughs.length, 1);
  const steps = walkthroughs[0].steps;
  assert.deepEqual(steps.map((s) => s.id), ['runDemo', 'openModel', 'audit', 'extract', 'export']);
  const declared = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const step of steps) {
    const media = path.join(root, step.media.markdown);
    assert.ok(fs.existsSync(media), `${step.id}: ${step.media.markdown} exists`);
    assert.match(fs.readFileSync(media, 'utf8'), /^# \S/, `${step.id}: its markdown starts with a title`);
    const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.equal(links.length, 1, `${step.id}: one command button`);
    const [command] = links;
    assert.ok(declared.has(command) || command.startsWith('workbench.'), `${step.id}: ${command} is one of ours or VS Code's`);
    assert.deepEqual(step.completionEvents, [`onCommand:${command}`], `${step.id}: done when its command runs`);
  }
});

test('the model view opens *.onnx files by default (read-only; "Reopen Editor With…" still offers the hex and text editors)', () => {
  const editors = (manifest.contributes as unknown as { customEditors: { viewType: string; displayName: string; selector: { filenamePattern: string }[]; priority: string }[] }).customEditors;
  assert.deepEqual(
    editors.map((e) => ({ viewType: e.viewType, selector: e.selector, priority: e.priority })),
    [{ viewType: 'bise.modelView', selector: [{ filenamePattern: '*.onnx' }], priority: 'default' }],
  );
  assert.match(editors[0].displayName, /BISE/);
  // activate registers its provider (activate.test.ts); a custom editor contributes its own activation event.
  assert.match(fs.readFileSync(path.join(root, 'esbuild.mjs'), 'utf8'), /in: 'webview\/model-view\.ts', out: 'model-view', platform: 'browser'/, 'its script is bundled');
});

test('bise.convertCheckpoint is on .pt, .pth and .pt2 files in the explorer and editor title, needs trust, and ships its script', () => {
  const m = manifest.contributes.menus;
  assert.equal(manifest.contributes.commands.find((c) => c.command === 'bise.convertCheckpoint')?.enablement, 'isWorkspaceTrusted');
  for (const menu of ['explorer/context', 'editor/title']) {
    const when = m[menu].find((i) => i.command === 'bise.convertCheckpoint')?.when ?? '';
    assert.match(when, /isWorkspaceTrusted/, menu);
    // The when clause's regular expression, as VS Code reads it from `resourceExtname =~ /…/flags`.
    const [, source, flags] = /resourceExtname =~ \/(.+)\/(\w*)/.exec(when) ?? [];
    assert.ok(source, `${menu}: matches on resourceExtname`);
    const re = new RegExp(source, flags);
    for (const ext of ['.pt', '.pth', '.pt2', '.PTH']) assert.ok(re.test(ext), `${menu}: ${ext}`);
    for (const ext of ['.onnx', '.ptx', '.pt.json', '.npt']) assert.ok(!re.test(ext), `${menu}: not ${ext}`);
  }
  assert.ok(m.commandPalette.some((i) => i.command === 'bise.convertCheckpoint' && i.when === 'isWorkspaceTrusted'));
  assert.match(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8'), /^!python\/convert_to_onnx\.py$/m, 'the .vsix carries the script');
  assert.match(fs.readFileSync(path.join(root, 'scripts/check-vsix-files.mjs'), 'utf8'), /'python\/convert_to_onnx\.py'/, 'check:vsix requires it');
});
