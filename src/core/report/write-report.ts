/**
 * Writes a BISE report folder: report.json, report.md, figures/*.svg, and for an extraction the pruned model and
 * masks.json (an audit has neither).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFolderAtomic } from './atomic-folder';
import { REPORT_JSON, ReportArtifacts, reportFolderEntries } from './report-files';
import { BiseReport, REPORT_SCHEMA } from './schema';
import { AnyReport, AuditReport, isAuditReport } from './audit-schema';
import { auditFolderEntries } from './audit-files';

export interface WriteReportOptions {
  /** Replace an existing report folder (atomically). Default false: an existing folder is an error. */
  readonly overwrite?: boolean;
  /** Paths never to write over or delete, e.g. the user's source model. */
  readonly protect?: readonly string[];
}

/**
 * Only an empty folder or an earlier report folder may be replaced: `overwrite` pointed at the wrong folder
 * (a project, a home folder) must not delete it. Returns why not, or null.
 */
export function whyNotReplaceable(folder: string): string | null {
  const names = fs.readdirSync(folder);
  if (names.length === 0) return null;
  const reason = `it does not look like a BISE report folder (no ${REPORT_JSON} with schema "${REPORT_SCHEMA}"); delete it yourself or choose another folder`;
  if (!names.includes(REPORT_JSON)) return reason;
  try {
    const head = JSON.parse(fs.readFileSync(path.join(folder, REPORT_JSON), 'utf8')) as { schema?: unknown };
    return head.schema === REPORT_SCHEMA ? null : reason;
  } catch {
    return reason;
  }
}

/**
 * Write the report folder `folder` atomically (staged in a hidden sibling, renamed into place; nothing is left
 * behind on failure). An existing folder is refused unless `options.overwrite`, and then replaced only if it is
 * empty or an earlier report folder. Protected paths, and always the source model named by `report.model.path`
 * (relative to the folder, or absolute), are never written over. `report.outputs.figures` is set to the
 * figures written. Returns the absolute paths of the files written.
 */
export function writeReportFolder(folder: string, report: BiseReport, files: ReportArtifacts, options?: WriteReportOptions): string[];
/** An audit report folder holds only report.json, report.md and the figures: no pruned model, no masks. */
export function writeReportFolder(folder: string, report: AuditReport, files: null, options?: WriteReportOptions): string[];
export function writeReportFolder(folder: string, report: AnyReport, files: ReportArtifacts | null, options: WriteReportOptions = {}): string[] {
  const { entries } = isAuditReport(report) ? auditFolderEntries(report) : reportFolderEntries(report, artifacts(files));
  const protect = [...(options.protect ?? []), path.resolve(folder, report.model.path)];
  return writeFolderAtomic(folder, entries, { overwrite: options.overwrite, protect, whyNotReplaceable });
}

function artifacts(files: ReportArtifacts | null): ReportArtifacts {
  if (files === null) throw new Error('an extraction report folder needs its pruned model and masks file');
  return files;
}
