/**
 * The files test/e2e/scenario-new.ts needs in the e2e workspace, added at setup next to makeE2eFolders' ones:
 * - truncated.onnx: the bad fixture test/fixtures/bad/model-truncated/model.onnx (the model view's error banner);
 * - text/: the BERT-style fixture model with its tokenizer and the fixture comments CSV (the form's text fields);
 * - checkpoints/tiny-cnn.pt: a TorchScript CNN on 3×28×28, written by a Python with torch, and checkpoints/notes.pt,
 *   a text file that only has a checkpoint's extension ("Convert to ONNX for BISE" and its error).
 * The conversion runs `python3` from PATH (the Python extension is not in code-server); a folder holding a `python3`
 * link to the Python with torch goes first on the workbench's PATH, as a user would put their torch Python first.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './workspace';

/** The Python with torch (Debian's python3-torch; .ci/run installs it). */
const TORCH_PYTHON = process.env.BISE_E2E_PYTHON ?? '/usr/bin/python3';

const TINY_CNN = `
import sys, torch
torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 10)).eval()
torch.jit.save(torch.jit.script(net), sys.argv[1])
`;

/** The workspace paths scenario-new.ts works with (relative to the workspace). */
export const NEW_FILES = {
  truncatedModel: 'truncated.onnx',
  textFolder: 'text',
  textModel: 'text/bert-tiny.onnx',
  textCsv: 'text/comments.csv',
  checkpointFolder: 'checkpoints',
  checkpoint: 'checkpoints/tiny-cnn.pt',
  converted: 'checkpoints/tiny-cnn.onnx',
  notACheckpoint: 'checkpoints/notes.pt',
} as const;

/**
 * Adds the files above to `workspace` and makes `<root>/python-bin/python3` → the Python with torch; returns that
 * folder, to put first on the workbench's PATH.
 */
export function addNewScenarioFiles(root: string, workspace: string): string {
  const at = (rel: string): string => path.join(workspace, ...rel.split('/'));
  fs.copyFileSync(path.join(REPO, 'test', 'fixtures', 'bad', 'model-truncated', 'model.onnx'), at(NEW_FILES.truncatedModel));

  const fixtures = path.join(REPO, 'test', 'fixtures', 'text');
  fs.mkdirSync(at(NEW_FILES.textFolder), { recursive: true });
  for (const name of ['bert-tiny.onnx', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(fixtures, 'wordpiece', name), path.join(at(NEW_FILES.textFolder), name));
  fs.copyFileSync(path.join(fixtures, 'comments.csv'), at(NEW_FILES.textCsv));

  fs.mkdirSync(at(NEW_FILES.checkpointFolder), { recursive: true });
  const made = spawnSync(TORCH_PYTHON, ['-c', TINY_CNN, at(NEW_FILES.checkpoint)], { encoding: 'utf8', timeout: 120_000 });
  if (made.status !== 0) {
    const why = made.error ? made.error.message : `exit ${made.status ?? made.signal}: ${made.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    throw new Error(`could not write the TorchScript checkpoint with ${TORCH_PYTHON} (${why}); the e2e needs a Python with torch (apt install python3-torch, or set BISE_E2E_PYTHON)`);
  }
  fs.writeFileSync(at(NEW_FILES.notACheckpoint), 'These are notes, not a PyTorch checkpoint.\n');

  const bin = path.join(root, 'python-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(TORCH_PYTHON, path.join(bin, 'python3'));
  return bin;
}
