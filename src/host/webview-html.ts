/**
 * The panel's HTML: a strict Content Security Policy (no inline script without the nonce, nothing from the
 * network), the bundled script dist/webview.js, and the panel's stylesheet (VS Code theme variables only). The
 * report's figures draw frame, text and axes by role class (core/report/svg/theme.ts); this stylesheet carries those
 * rules with the figure variables set from the VS Code theme, since the CSP refuses the figures' own <style>.
 */
import type { PanelState } from '../protocol/webview-messages';
import { FIGURE_STYLE, FIGURE_VARIABLES } from '../core/report/svg/theme';

export interface PanelHtmlOptions {
  /** webview.cspSource */
  readonly cspSource: string;
  readonly nonce: string;
  /** webview.asWebviewUri(dist/webview.js) as a string. */
  readonly scriptUri: string;
  readonly title: string;
  /** What the panel shows, for the webview to keep across reloads (it also arrives in messages). */
  readonly state: PanelState;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource} 'nonce-${nonce}'`, `img-src ${cspSource} data:`].join('; ');
}

/** Escapes text and double-quoted attribute values (single quotes, as in the CSP, stay readable). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

export const PANEL_CSS = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 24px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: 4px; }
.muted { color: var(--vscode-descriptionForeground); }
.error { color: var(--vscode-errorForeground); }
.field-error { color: var(--vscode-errorForeground); font-size: 0.9em; margin-top: 2px; }
.banner { border: 1px solid var(--vscode-inputValidation-errorBorder); background: var(--vscode-inputValidation-errorBackground); padding: 8px 12px; margin: 8px 0; white-space: pre-wrap; }
.info { border: 1px solid var(--vscode-inputValidation-infoBorder); background: var(--vscode-inputValidation-infoBackground); padding: 8px 12px; margin: 8px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 16px; }
vscode-textfield, vscode-single-select { width: 100%; box-sizing: border-box; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 12px 0; }
.figure { overflow-x: auto; margin: 8px 0; }
.figure svg { max-width: 100%; height: auto; }
table.metrics { border-collapse: collapse; margin: 8px 0; }
table.metrics th, table.metrics td { border: 1px solid var(--vscode-panel-border); padding: 4px 10px; text-align: right; }
table.metrics th:first-child, table.metrics td:first-child { text-align: left; }
.heatmap-row { display: grid; grid-template-columns: 200px 1fr; gap: 8px; margin: 4px 0; align-items: start; }
.heatmap-cells { display: flex; flex-wrap: wrap; gap: 1px; max-width: 704px; }
.heatmap-cells span { width: 10px; height: 10px; display: inline-block; }
.heatmap-cells span.pruned { outline: 1px solid var(--vscode-editor-foreground); outline-offset: -3px; }
.mask-row { cursor: pointer; }
.mask-row:focus { outline: none; }
.mask-row:focus .row-hit { stroke: var(--vscode-focusBorder); stroke-width: 2; }
.mask-row[aria-pressed="true"] .row-hit { fill: var(--vscode-list-activeSelectionBackground, #04395e); fill-opacity: 0.5; }
.histogram-box { margin: 8px 0; }
.hist-kept, .hist-kept-text { fill: var(--vscode-charts-blue, #3794ff); }
.hist-pruned, .hist-pruned-text { fill: var(--vscode-charts-red, #f14c4c); }
.hist-axis { stroke: var(--vscode-foreground); stroke-opacity: 0.6; }
.hist-threshold { stroke: var(--vscode-editorWarning-foreground, #cca700); stroke-width: 1.5; }
.hist-threshold-text { fill: var(--vscode-editorWarning-foreground, #cca700); }
#tooltip { position: fixed; pointer-events: none; background: var(--vscode-editorHoverWidget-background); color: var(--vscode-editorHoverWidget-foreground); border: 1px solid var(--vscode-editorHoverWidget-border); padding: 2px 6px; display: none; z-index: 10; }
pre.log { background: var(--vscode-textCodeBlock-background); padding: 8px; max-height: 240px; overflow: auto; white-space: pre-wrap; }
:root { ${FIGURE_VARIABLES.background}: var(--vscode-editor-background); ${FIGURE_VARIABLES.ink}: var(--vscode-editor-foreground); ${FIGURE_VARIABLES.muted}: var(--vscode-descriptionForeground); ${FIGURE_VARIABLES.grid}: var(--vscode-panel-border); }
${FIGURE_STYLE}
`;

export function panelHtml(o: PanelHtmlOptions): string {
  const body = `<div id="app" data-state="${escapeHtml(JSON.stringify(o.state))}"><p class="muted">Loading…</p></div>
<div id="tooltip" role="tooltip"></div>`;
  return webviewDocument({ ...o, css: PANEL_CSS, body });
}

/** A webview page: the CSP, one nonce'd style and one nonce'd script (the bundle), around `body` (trusted markup). */
export function webviewDocument(o: { readonly title: string; readonly cspSource: string; readonly nonce: string; readonly scriptUri: string; readonly css: string; readonly body: string }): string {
  const csp = contentSecurityPolicy(o.cspSource, o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<style nonce="${escapeHtml(o.nonce)}">${o.css}</style>
</head>
<body>
${o.body}
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
