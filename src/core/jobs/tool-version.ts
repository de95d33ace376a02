/** Name and version written into reports and model metadata (kept in step with package.json by a test). */
export const TOOL_NAME = 'bise-vscode';
export const TOOL_VERSION = '0.1.0';
