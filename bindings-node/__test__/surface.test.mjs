// The one surface (core/src/embed/surface.rs, rendered to tests/conformance/surface.json): every
// operation and type named in the Node column exists at runtime, and in index.d.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { REPO, qayd } from './helpers.mjs'

const surface = JSON.parse(readFileSync(path.join(REPO, 'tests/conformance/surface.json'), 'utf8'))
const declarations = readFileSync(path.join(REPO, 'bindings-node/index.d.ts'), 'utf8')

/**
 * Whether `generate` (an export), `Signer.stamp` (a method or getter on the prototype) or
 * `Credentials.fromJson` (a static) exists — without calling any getter.
 */
function exists(name) {
  const [head, ...members] = name.split('.')
  let target = qayd
  for (const part of [head, ...members]) {
    if (target == null) return false
    const holder = part in target ? target : target.prototype && part in target.prototype ? target.prototype : null
    if (holder === null) return false
    const descriptor = Object.getOwnPropertyDescriptor(holder, part)
    if (descriptor?.get && part !== head) return true
    target = holder[part]
  }
  return target !== undefined
}

test('every operation of the surface exists at runtime', () => {
  const names = surface.operations.map((item) => item.node).filter(Boolean)
  assert.ok(names.length > 40)
  assert.deepEqual(names.filter((name) => !exists(name)), [])
})

test('every operation and type of the surface is declared in index.d.ts', () => {
  const names = [...surface.operations, ...surface.types].map((item) => item.node).filter(Boolean)
  const declared = (name) => {
    const last = name.split('.').pop()
    return new RegExp(`(export (declare )?(function|class|const|type|interface|enum) ${last}\\b)|(^\\s+(static |readonly |get )?${last}[(?:<])|(as ${last}\\b)`, 'm').test(declarations)
  }
  assert.deepEqual(names.filter((name) => !declared(name)), [])
})

test("the enums hold the core's values, at runtime and in index.d.ts", () => {
  const lists = {
    DocumentStatus: surface.document_statuses,
    ClearOutcome: surface.clear_outcomes,
    ApiOutcome: surface.api_outcomes,
    EventKind: surface.event_kinds,
    Severity: surface.severities,
  }
  for (const [name, values] of Object.entries(lists)) {
    assert.deepEqual(Object.values(qayd[name]), values, name)
    assert.ok(Object.isFrozen(qayd[name]), name)
    const declared = declarations.match(new RegExp(`export const ${name}: \\{\\n((?:  readonly [A-Z_]+: '[a-z_]+'\\n)+)\\}`))
    assert.ok(declared, `index.d.ts declares ${name}`)
    assert.deepEqual([...declared[1].matchAll(/'([a-z_]+)'/g)].map((m) => m[1]), values, `index.d.ts ${name}`)
  }
})

test('the runtime exports and the exports of index.d.ts are the same names', () => {
  const declared = new Set(
    [...declarations.matchAll(/^export (?:declare )?(?:function|class|const) (\w+)/gm), ...declarations.matchAll(/^export \{ \w+ as (\w+) \}/gm)].map(
      (m) => m[1],
    ),
  )
  const runtime = new Set(Object.keys(qayd))
  assert.deepEqual([...runtime].filter((name) => !declared.has(name)).sort(), [], 'exported but not declared')
  assert.deepEqual([...declared].filter((name) => !runtime.has(name)).sort(), [], 'declared but not exported')
})
