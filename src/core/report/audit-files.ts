/**
 * The contents of an audit report folder, as data: report.json, report.md and the figures. Pure, like
 * reportFolderEntries; report.json is parsed back before anything is written, so a folder never holds a report
 * its own reader would reject.
 */
import type { FolderEntry } from './atomic-folder';
import { AuditReport, parseAuditReport } from './audit-schema';
import { auditFigures } from './audit-figures';
import { renderAuditMarkdown } from './audit-markdown';
import { REPORT_JSON, REPORT_MD } from './report-files';
import { stableStringify } from './stable-json';

export function auditFolderEntries(report: AuditReport): { report: AuditReport; entries: FolderEntry[] } {
  const written: AuditReport = { ...report, outputs: { figures: auditFigures(report).map((f) => f.file) } };
  let json: string;
  try {
    json = stableStringify(written);
  } catch (e) {
    throw new Error(`cannot write ${REPORT_JSON}: ${(e as Error).message}`);
  }
  const checked = parseAuditReport(json, `${REPORT_JSON} (about to be written)`);
  return {
    report: checked,
    entries: [
      { path: REPORT_JSON, content: json },
      { path: REPORT_MD, content: renderAuditMarkdown(checked) },
      ...auditFigures(checked).map((f) => ({ path: f.file, content: f.render() })),
    ],
  };
}
