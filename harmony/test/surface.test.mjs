// @ts-check
/**
 * The declaration file matches the library: every class, static method,
 * instance member and function declared in index.d.ts is exported by the native module,
 * and the module exports nothing that is not declared. Read with the
 * TypeScript compiler, so the check follows the file's real syntax.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

import { native } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** @returns {Map<string, { statics: Set<string>, members: Set<string> }>} */
function declaredClasses() {
  const path = join(here, '..', 'index.d.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const classes = new Map();
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    const statics = new Set();
    const members = new Set();
    for (const member of statement.members) {
      if (ts.isConstructorDeclaration(member) || !member.name) continue;
      const name = member.name.getText(source);
      const isStatic = ts.getCombinedModifierFlags(/** @type {ts.Declaration} */ (member)) & ts.ModifierFlags.Static;
      (isStatic ? statics : members).add(name);
    }
    classes.set(statement.name.text, { statics, members });
  }
  return classes;
}

/** @returns {Set<string>} the functions index.d.ts declares */
function declaredFunctions() {
  const path = join(here, '..', 'index.d.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const functions = new Set();
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) functions.add(statement.name.text);
  }
  return functions;
}

/** @param {Function} constructor */
function exported(constructor) {
  const builtIn = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);
  return {
    statics: new Set(Object.getOwnPropertyNames(constructor).filter((name) => !builtIn.has(name))),
    members: new Set(Object.getOwnPropertyNames(constructor.prototype).filter((name) => name !== 'constructor')),
  };
}

test('index.d.ts declares exactly what the native module exports', () => {
  const declared = declaredClasses();
  const module = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (native));
  const functions = declaredFunctions();
  assert.deepEqual(new Set(Object.keys(module)), new Set([...declared.keys(), ...functions]), 'exported names');
  for (const name of functions) assert.equal(typeof module[name], 'function', `${name} is a function`);
  for (const [name, shape] of declared) {
    const constructor = module[name];
    assert.equal(typeof constructor, 'function', `${name} is a class`);
    const actual = exported(/** @type {Function} */ (constructor));
    assert.deepEqual([...actual.statics].sort(), [...shape.statics].sort(), `static members of ${name}`);
    assert.deepEqual([...actual.members].sort(), [...shape.members].sort(), `members of ${name}`);
  }
  assert.ok(declared.get('EcardClient')?.members.has('currentCode'));
});
