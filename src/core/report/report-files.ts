/**
 * The contents of a report folder, as data: report.json, report.md, the figures, the pruned model and the
 * masks, each with its path inside the folder. Pure (no file system), so what would be written can be checked
 * before anything is.
 */
import type { FolderEntry } from './atomic-folder';
import { figureFiles, renderFigures } from './figures';
import { renderMarkdown } from './markdown';
import { BiseReport, isReportRelativePath, parseReport } from './schema';
import { stableStringify } from './stable-json';
import { isTextData, transformerBlocks } from './transformer-blocks';

export const REPORT_JSON = 'report.json';
export const REPORT_MD = 'report.md';
export const FIGURES_DIR = 'figures';

export interface ReportArtifacts {
  readonly prunedModel: Uint8Array;
  readonly masksJson: string;
}

/** Whether one of the paths is another's folder ('a' and 'a/b'), or two are equal (ignoring case, for macOS and Windows). */
function findClash(paths: readonly string[]): [string, string] | null {
  const lower = paths.map((p) => p.toLowerCase());
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < paths.length; j++) {
      if (i !== j && (lower[i] === lower[j] ? i < j : lower[j].startsWith(`${lower[i]}/`))) return [paths[i], paths[j]];
    }
  }
  return null;
}

/**
 * Every file of the report folder. `outputs.figures` of the written report is set to the figures rendered
 * here (so callers may leave it empty), and `transformerBlocks` is derived from the masks; the returned report is the one written to report.json, checked by
 * parsing it back, so that a folder is never written with a report its own reader would reject.
 */
export function reportFolderEntries(report: BiseReport, files: ReportArtifacts): { report: BiseReport; entries: FolderEntry[] } {
  const { prunedModel, masks } = report.outputs;
  for (const [field, p] of [['prunedModel', prunedModel], ['masks', masks]] as const) {
    if (!isReportRelativePath(p)) throw new Error(`outputs.${field} '${p}' must be a plain path inside the report folder ('/'-separated, no "..")`);
    if (p === REPORT_JSON || p === REPORT_MD || p.toLowerCase().startsWith(`${FIGURES_DIR}/`) || p.toLowerCase() === FIGURES_DIR) {
      throw new Error(`outputs.${field} '${p}' collides with the report's own ${p.startsWith(FIGURES_DIR) ? `${FIGURES_DIR}/ folder` : 'files'}; choose another name`);
    }
  }
  try {
    JSON.parse(files.masksJson);
  } catch (e) {
    throw new Error(`the masks file content is not valid JSON (${(e as Error).message})`);
  }
  const { transformerBlocks: _given, ...rest } = report;
  const blocks = transformerBlocks(report.masks, isTextData(report.config));
  const written: BiseReport = { ...rest, ...(blocks.length > 0 && { transformerBlocks: blocks }), outputs: { ...report.outputs, figures: figureFiles(report) } };
  let json: string;
  try {
    json = stableStringify(written);
  } catch (e) {
    throw new Error(`cannot write ${REPORT_JSON}: ${(e as Error).message}`);
  }
  const checked = parseReport(json, `${REPORT_JSON} (about to be written)`);
  const entries: FolderEntry[] = [
    { path: REPORT_JSON, content: json },
    { path: REPORT_MD, content: renderMarkdown(checked) },
    ...renderFigures(checked).map((f) => ({ path: f.file, content: f.svg })),
    { path: prunedModel, content: files.prunedModel },
    { path: masks, content: files.masksJson },
  ];
  const clash = findClash(entries.map((e) => e.path));
  if (clash) throw new Error(`two files of the report folder would collide: '${clash[0]}' and '${clash[1]}'; rename outputs.prunedModel or outputs.masks`);
  return { report: checked, entries };
}
