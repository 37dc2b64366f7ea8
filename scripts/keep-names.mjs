// esbuild's `keepNames` wraps every named function in `__name(fn, "name")`, which defines `name` with
// Object.defineProperty. At the top level that runs once, and is needed: bundling renames colliding
// top-level bindings (`ValidationError2`). Inside a function it runs each time the enclosing function
// runs, and a defineProperty on a closure turns it into a dictionary-mode object: in the sampling
// fan-out that was 2.3–2.8 KB allocated and 1.1 KB held per pending sample (docs/performance.md,
// round 5). Bundling does not rename nested bindings, and V8 names a function from the binding or
// property it is written to, so nested wrappers of that kind are removed here: each function keeps the
// same `name`, now given at parse time. Blanked with spaces, not cut: lines and columns stay where the
// source maps say they are.
import ts from 'typescript';

/** The JS text of one bundle with the nested, redundant `__name` wrappers blanked out. */
export function unwrapNestedNames(code) {
  if (!code.includes('__name(')) return code;
  const source = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const blanks = [];
  const visit = (node, nested) => {
    if (ts.isCallExpression(node) && nested) {
      const range = redundantWrapper(node, source);
      if (range) blanks.push(...range);
    }
    const inner = nested || ts.isFunctionLike(node);
    node.forEachChild((child) => visit(child, inner));
  };
  visit(source, false);
  if (blanks.length === 0) return code;
  let out = '';
  let at = 0;
  for (const [start, end] of blanks.sort((a, b) => a[0] - b[0])) {
    out += code.slice(at, start) + code.slice(start, end).replace(/[^\r\n]/g, ' ');
    at = end;
  }
  return out + code.slice(at);
}

/**
 * The ranges to blank if `call` is a wrapper V8 makes redundant: `const f = __name(() => …, "f")`,
 * `{ f: __name(() => …, "f") }` (an anonymous function or class written to a binding or property of
 * that name), or the statement `__name(f, "f");` after a nested function declaration `f`.
 */
function redundantWrapper(call, source) {
  const [target, name] = call.arguments;
  if (!ts.isIdentifier(call.expression) || call.expression.text !== '__name') return undefined;
  if (call.arguments.length !== 2 || !ts.isStringLiteral(name)) return undefined;
  const parent = call.parent;
  if (ts.isExpressionStatement(parent) && ts.isIdentifier(target) && target.text === name.text) {
    return isFunctionDeclaredAs(parent, name.text) ? [[parent.getStart(source), parent.end]] : undefined;
  }
  const anonymous =
    (ts.isArrowFunction(target) || ts.isFunctionExpression(target) || ts.isClassExpression(target)) &&
    !target.name;
  if (!anonymous) return undefined;
  const written =
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    parent.initializer === call &&
    (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name)) &&
    parent.name.text === name.text;
  if (!written) return undefined;
  return [
    [call.getStart(source), target.getStart(source)],
    [target.end, call.end],
  ];
}

/** Whether the block holding `statement` declares a function `name` (what esbuild's statement names). */
function isFunctionDeclaredAs(statement, name) {
  const block = statement.parent;
  return (
    (ts.isBlock(block) || ts.isSourceFile(block)) &&
    block.statements.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === name)
  );
}
