/** BISE report folders: the versioned report, its Markdown page and figures, and the atomic folder writer. */
export type { BaselineResult, BiseReport, EpochRecord, EvalMetrics, MaskRecord, ProbeResult } from './schema';
export { REPORT_SCHEMA, REPORT_VERSION, isReportRelativePath, parseReport } from './schema';
export { ReportParseError } from './decode';
export { renderMarkdown } from './markdown';
export type { FigureSection, RenderedFigure } from './figures';
export { figureFiles, figureInfo, renderFigures } from './figures';
export { renderAccuracyChart } from './svg/accuracy-chart';
export { renderMaskHeatmap } from './svg/mask-heatmap';
export { renderProbeChart } from './svg/probe-chart';
export { renderTrainingCurves } from './svg/training-curves';
export { escapeXml } from './svg/xml';
export { stableStringify } from './stable-json';
export type { ReportArtifacts } from './report-files';
export { reportFolderEntries } from './report-files';
export type { AtomicFolderOptions, FolderEntry } from './atomic-folder';
export { writeFolderAtomic } from './atomic-folder';
export type { WriteReportOptions } from './write-report';
export { whyNotReplaceable, writeReportFolder } from './write-report';
