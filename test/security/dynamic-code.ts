/**
 * A lint rule, written with the TypeScript compiler API: code is never built from strings. Flags eval (also
 * as globalThis.eval / window.eval / (0, eval)), Function(...) and new Function(...), setTimeout / setInterval /
 * setImmediate given a string, and imports of node:vm.
 */
import * as ts from 'typescript';

export interface DynamicCodeFinding {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const GLOBALS = new Set(['globalThis', 'window', 'self', 'global']);

/** The called name: `eval`, `globalThis.eval` → eval; `window.setTimeout` → setTimeout. */
function calleeName(expr: ts.Expression): string | undefined {
  let e = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  // (0, eval)(…) is the indirect-eval idiom.
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) return calleeName(e.right);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && GLOBALS.has(e.expression.text)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isIdentifier(e.expression) && GLOBALS.has(e.expression.text) && ts.isStringLiteralLike(e.argumentExpression)) {
    return e.argumentExpression.text;
  }
  return undefined;
}

/** A string made in place: a literal, a template, or a concatenation with one. */
function isStringExpression(e: ts.Expression): boolean {
  if (ts.isStringLiteralLike(e) || ts.isTemplateExpression(e)) return true;
  if (ts.isParenthesizedExpression(e)) return isStringExpression(e.expression);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return isStringExpression(e.left) || isStringExpression(e.right);
  return false;
}

export function findDynamicCode(file: string, text: string): DynamicCodeFinding[] {
  const kind = file.endsWith('.js') || file.endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: DynamicCodeFinding[] = [];
  const report = (node: ts.Node, what: string): void => {
    found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      const first = node.arguments?.[0];
      if (name === 'eval') report(node, 'eval');
      else if (name === 'Function') report(node, ts.isNewExpression(node) ? 'new Function' : 'Function(...)');
      else if (name !== undefined && TIMERS.has(name) && first !== undefined && isStringExpression(first)) report(node, `${name} with a string`);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /^(node:)?vm$/.test(node.moduleSpecifier.text)) report(node, 'import of node:vm');
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments[0] && ts.isStringLiteral(node.arguments[0]) && /^(node:)?vm$/.test(node.arguments[0].text)) {
      report(node, 'require of node:vm');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
