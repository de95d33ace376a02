/** The webview's globals and the untyped bundle of @vscode-elements/elements. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

declare module '@vscode-elements/elements/dist/bundled.js';
