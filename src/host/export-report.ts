/**
 * "Export report into the repo": rewrites a run's report folder under the workspace (bise.reportsFolder). The
 * folder is written again by the core's report writer rather than copied, so report.json's relative model path
 * is right for the new place, the figures and report.md match it, and the write is atomic; an existing folder
 * is replaced only if it is an earlier BISE report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT_JSON, REPORT_MD } from '../core/report/report-files';
import { BiseReport, parseReport } from '../core/report/schema';
import { AnyReport, isAuditReport, parseAnyReport } from '../core/report/audit-schema';
import { whyNotReplaceable, writeReportFolder } from '../core/report/write-report';

export function readReportFile(reportPath: string): BiseReport {
  return parseReport(fs.readFileSync(reportPath, 'utf8'), reportPath);
}

/** An extraction or an audit report (tell them apart with isAuditReport). */
export function readAnyReportFile(reportPath: string): AnyReport {
  return parseAnyReport(fs.readFileSync(reportPath, 'utf8'), reportPath);
}

/** Why `dest` cannot be written (a folder that is not a report), 'replace' for an earlier report, or null if free. */
export function exportConflict(dest: string): { kind: 'free' } | { kind: 'replace' } | { kind: 'refuse'; message: string } {
  if (!fs.existsSync(dest)) return { kind: 'free' };
  if (!fs.statSync(dest).isDirectory()) return { kind: 'refuse', message: `'${dest}' exists and is not a folder; move it or change the setting bise.reportsFolder` };
  const why = whyNotReplaceable(dest);
  return why === null ? { kind: 'replace' } : { kind: 'refuse', message: `'${dest}' exists and ${why}` };
}

export interface ExportResult {
  readonly folder: string;
  readonly reportMd: string;
  readonly files: string[];
}

/**
 * Writes the report of `sourceFolder` (an extraction's or an audit's) into `dest`. `modelPath` is the model the run used (its path in
 * report.json is made relative to `dest`, and it is never overwritten).
 */
export function exportReport(sourceFolder: string, dest: string, modelPath: string, overwrite: boolean): ExportResult {
  const report = readAnyReportFile(path.join(sourceFolder, REPORT_JSON));
  const modelRelative = path.relative(dest, path.resolve(modelPath)).split(path.sep).join('/');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (isAuditReport(report)) {
    const files = writeReportFolder(dest, { ...report, model: { ...report.model, path: modelRelative } }, null, { overwrite, protect: [path.resolve(modelPath)] });
    return { folder: dest, reportMd: path.join(dest, REPORT_MD), files };
  }
  const prunedModel = fs.readFileSync(path.join(sourceFolder, report.outputs.prunedModel));
  const masksJson = fs.readFileSync(path.join(sourceFolder, report.outputs.masks), 'utf8');
  const moved: BiseReport = { ...report, model: { ...report.model, path: modelRelative } };
  const files = writeReportFolder(dest, moved, { prunedModel, masksJson }, { overwrite, protect: [path.resolve(modelPath)] });
  return { folder: dest, reportMd: path.join(dest, REPORT_MD), files };
}

/** The model a report was made from, from its relative model.path (resolved against the report folder). */
export function reportModelPath(reportPath: string, report: AnyReport): string {
  return path.resolve(path.dirname(reportPath), report.model.path);
}
