// esbuild's keepNames wraps every function and class in `__name(fn, "name")`, a `defineProperty` call,
// so that `error.name` and stack traces keep the names bundling renamed (a class that collides with one
// in an inlined package, such as the kernel's ValidationError and ajv's). Most wraps restate the name
// the function gets anyway, and each one runs where the function is created: a closure built per call
// (`const onEnd = __name(() => …, "onEnd")`) paid a `defineProperty` and a property store per call, on
// every request. Measured in the 2,000-sample fan-out: peak RSS 171-173 MiB with every wrap, 148-159
// without any (docs/performance-notes.md, round 5). This drops the wraps whose name JavaScript gives the
// function by itself, and keeps the others, but for closures made per call whose only difference is
// esbuild's numeric suffix on their binding (round 15).
import ts from 'typescript';

/** Operators whose right-hand anonymous function is named after the identifier on their left. */
const NAMING_ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** The text of a binding or property name, if it is a plain one (not computed). */
function nameText(node) {
  if (!node) return undefined;
  if (ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isPrivateIdentifier(node)) return node.text;
  return undefined;
}

/** An anonymous function or class: JavaScript names it after the binding or property it initializes. */
function isAnonymous(node) {
  return (
    ts.isArrowFunction(node) || ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && !node.name)
  );
}

/** The name `value` gets from where it stands (`const x = value`, `{ x: value }`, `x = value`, …). */
function inferredName(call) {
  const parent = call.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === call) return nameText(parent.name);
  if (ts.isPropertyAssignment(parent) && parent.initializer === call && nameText(parent.name) !== '__proto__')
    return nameText(parent.name);
  if (ts.isPropertyDeclaration(parent) && parent.initializer === call) return nameText(parent.name);
  if (
    ts.isBinaryExpression(parent) &&
    parent.right === call &&
    NAMING_ASSIGNMENTS.has(parent.operatorToken.kind) &&
    ts.isIdentifier(parent.left)
  )
    return parent.left.text;
  return undefined;
}

/** Whether `node` runs each time a function around it is called (not once, at module level). */
function insideFunction(node) {
  for (let at = node.parent; at; at = at.parent) if (ts.isFunctionLike(at)) return true;
  return false;
}

/**
 * `binding` is esbuild's rename of `name` (`failed` → `failed3`): it suffixes a nested binding whose name
 * is taken elsewhere in the bundle.
 */
function isSuffixedRename(binding, name) {
  return binding !== undefined && binding.startsWith(name) && /^[0-9]+$/.test(binding.slice(name.length));
}

/** Whether a function declaration named `name` is among `statements`. */
function declaresFunction(statements, name) {
  return statements.some((statement) => ts.isFunctionDeclaration(statement) && statement.name?.text === name);
}

/**
 * `code` (an esbuild bundle built with keepNames) without the `__name` wraps that restate a name the
 * function or class has anyway. Each dropped piece becomes spaces, so every position, and so the source
 * map, stays as it was.
 */
export function dropRedundantNames(code) {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  /** [start, end) ranges to blank. */
  const blanks = [];
  const visit = (node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === '__name' &&
      node.arguments.length === 2 &&
      ts.isStringLiteral(node.arguments[1])
    ) {
      const [target, { text: name }] = node.arguments;
      const statement = node.parent;
      if (ts.isExpressionStatement(statement) && ts.isIdentifier(target) && target.text === name) {
        // `function f() {…}` then `__name(f, "f");`: a declaration already carries its own name.
        if (declaresFunction(statement.parent.statements ?? [], name))
          blanks.push([statement.getStart(file), statement.end]);
      } else if (
        ts.isExpressionStatement(statement) &&
        target.kind === ts.SyntaxKind.ThisKeyword &&
        ts.isClassStaticBlockDeclaration(statement.parent.parent) &&
        statement.parent.statements.length === 1 &&
        statement.parent.parent.parent.name?.text === name
      ) {
        // `class C { static { __name(this, "C"); } }`: the class is already called C.
        blanks.push([statement.parent.parent.getStart(file), statement.parent.parent.end]);
      } else if (isAnonymous(target) && inferredName(node) === name) {
        // `const f = __name(() => …, "f")`: keep the function, drop the wrap around it.
        blanks.push([node.getStart(file), target.getStart(file)], [target.end, node.end]);
      } else if (isAnonymous(target) && insideFunction(node) && isSuffixedRename(inferredName(node), name)) {
        // `const failed3 = __name((error) => …, "failed")` inside a function: a closure made on every
        // call (the undici transport's body read, twice per sample) paid a defineProperty and a
        // descriptor for a name only its binding's suffix tells apart. It is called `failed3` instead.
        blanks.push([node.getStart(file), target.getStart(file)], [target.end, node.end]);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (blanks.length === 0) return code;
  blanks.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of blanks) {
    // Newlines stay, so line numbers do too.
    out += code.slice(at, start) + code.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return out + code.slice(at);
}
