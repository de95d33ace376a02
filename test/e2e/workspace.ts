/**
 * The folders an end-to-end run uses, under one temp root: a workspace holding a copy of the bundled demo model
 * (model.onnx) and a small image CSV with its own column names (faces/list.csv, for the column dropdowns), an
 * extensions folder, and a user-data folder whose settings keep the workbench quiet and its menus in the page.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

export interface E2eFolders {
  readonly root: string;
  readonly workspace: string;
  readonly extensions: string;
  readonly userData: string;
}

const SETTINGS = {
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
  // Desktop VS Code on Linux: menus drawn in the page (not native), so the scenario can click them.
  'window.titleBarStyle': 'custom',
  'window.menuStyle': 'custom',
};

export function makeE2eFolders(prefix: string): E2eFolders {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const folders = { root, workspace: path.join(root, 'workspace'), extensions: path.join(root, 'extensions'), userData: path.join(root, 'user-data') };
  fs.mkdirSync(path.join(folders.userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(folders.workspace, 'faces'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'models', 'biased-mnist-rho0.97-cnn.onnx'), path.join(folders.workspace, 'model.onnx'));
  fs.writeFileSync(path.join(folders.workspace, 'faces', 'list.csv'), 'fname,smiling,gender,split\nimg/0001.png,1,f,train\nimg/0002.png,0,m,test\n');
  fs.writeFileSync(path.join(folders.userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  return folders;
}
