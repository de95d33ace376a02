import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder of this tool's package.json, found from the running file (works from src/ and from a bundle in dist/). */
export function packageRoot(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bise-vscode') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the bise-vscode package folder above ${start}`);
  }
}
