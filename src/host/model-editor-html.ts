/**
 * The model view's HTML: the panel's strict Content Security Policy (webview-html.ts), the bundled script
 * dist/model-view.js, and a stylesheet of VS Code theme variables only, so the view follows dark, light and high
 * contrast themes. The page starts in its loading state; the script fills it from the host's messages.
 */
import { escapeHtml, webviewDocument } from './webview-html';

export interface ModelViewHtmlOptions {
  /** webview.cspSource */
  readonly cspSource: string;
  readonly nonce: string;
  /** webview.asWebviewUri(dist/model-view.js) as a string. */
  readonly scriptUri: string;
  /** The model's file name, shown while the worker reads it. */
  readonly title: string;
}

export const MODEL_VIEW_CSS = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px 24px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; word-break: break-all; }
h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: 4px; }
.muted { color: var(--vscode-descriptionForeground); }
.banner { border: 1px solid var(--vscode-inputValidation-errorBorder); background: var(--vscode-inputValidation-errorBackground); padding: 8px 12px; margin: 8px 0; white-space: pre-wrap; }
.warning { border: 1px solid var(--vscode-inputValidation-warningBorder); background: var(--vscode-inputValidation-warningBackground); padding: 8px 12px; margin: 8px 0; white-space: pre-wrap; }
.info { border: 1px solid var(--vscode-inputValidation-infoBorder); background: var(--vscode-inputValidation-infoBackground); padding: 8px 12px; margin: 8px 0; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 12px 0; }
button { font-family: inherit; font-size: inherit; padding: 4px 14px; border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; background: var(--vscode-button-background); color: var(--vscode-button-foreground); cursor: pointer; }
button:hover:enabled { background: var(--vscode-button-hoverBackground); }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
button.secondary:hover:enabled { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
button:disabled { opacity: 0.5; cursor: default; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--vscode-descriptionForeground); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--vscode-panel-border); padding: 4px 10px; text-align: left; vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); word-break: break-all; }
`;

export function modelViewHtml(o: ModelViewHtmlOptions): string {
  const body = `<main id="app" aria-live="polite"><h1>${escapeHtml(o.title)}</h1><p class="muted">Reading the model…</p></main>`;
  return webviewDocument({ ...o, css: MODEL_VIEW_CSS, body });
}
