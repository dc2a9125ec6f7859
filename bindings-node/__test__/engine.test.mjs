// The engine without a platform: options, store queries, bad input, closing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { qayd } from './helpers.mjs'
import { identity } from './gateway.mjs'

const masterKey = () => randomBytes(32).toString('base64')
const open = (options = {}) => qayd.Engine.open({ store: ':memory:', masterKey: masterKey(), ...options })

test('Engine.open: bad options are typed errors', () => {
  assert.throws(() => qayd.Engine.open({ store: ':memory:', colour: 'red' }), (e) => e instanceof qayd.InvalidInputError && /colour/.test(e.message))
  assert.throws(() => qayd.Engine.open({ store: ':memory:', environment: 'mars' }), (e) => e instanceof qayd.InvalidInputError && /mars/.test(e.message))
  assert.throws(() => qayd.Engine.open({ store: ':memory:', masterKey: 'short' }), qayd.SecretError)
  assert.throws(() => qayd.Engine.open({ store: ':memory:', masterKey: Buffer.alloc(16).toString('base64') }), qayd.SecretError)
  assert.throws(() => qayd.Engine.open({ store: ':memory:', maxAttempts: -1 }), qayd.InvalidInputError)
  assert.throws(() => qayd.Engine.open({ store: ':memory:', retryBaseMs: '10' }), qayd.InvalidInputError)
  assert.throws(() => qayd.Engine.open({}), qayd.QaydError)
  assert.throws(() => qayd.Engine.open({ store: '/nonexistent-dir/x/qayd.db' }), qayd.StorageError)
  assert.throws(() => qayd.Engine.open(':memory:'), TypeError)
  assert.throws(() => qayd.Engine.open(), TypeError)
  assert.equal(new qayd.Engine({ store: ':memory:' }).isRunning, false, 'new Engine(options) is Engine.open(options)')
})

test('an empty engine answers every query', () => {
  const engine = open()
  assert.deepEqual(engine.statusCounts(), {})
  assert.deepEqual(engine.egsUnits(), [])
  assert.deepEqual(engine.events(), [])
  assert.deepEqual(engine.documents('till-1'), [])
  assert.deepEqual(engine.documentsByStatus('pending'), [])
  assert.equal(engine.document('till-1', 1), null)
  assert.equal(engine.documentByUuid('00000000-0000-0000-0000-000000000000'), null)
  assert.equal(engine.requeue('till-1', 1), false)
  assert.equal(engine.recover(), 0)
  assert.equal(engine.exportAudit(), '')
  assert.deepEqual(engine.verifyAudit(), { intact: true, rows: 0, head: '0'.repeat(64), brokenAt: null, brokenReason: null })
  assert.equal(engine.isRunning, false)
  engine.registerEgs('till-1')
  assert.deepEqual(engine.egsUnits(), [
    { egsId: 'till-1', nextIcv: 1, lastHash: qayd.GENESIS_PIH, hasCredentials: false, environment: null, certificateExpiry: null, stopped: null },
  ])
})

test('engine calls: bad input is a typed error, never a crash', async () => {
  const engine = open()
  const invoice = qayd.sampleInvoiceJson(identity(), 'simplified', 'invoice')
  assert.throws(() => engine.issue('nobody', invoice), (e) => e instanceof qayd.InvalidInputError && /credentials/.test(e.message))
  assert.throws(() => engine.issue('nobody', '{'), qayd.InvalidInputError)
  assert.throws(() => engine.issue('nobody', { kind: 'simplified' }), qayd.InvalidInputError)
  assert.throws(() => engine.issue('nobody', Buffer.from([0xc3])), qayd.InvalidInputError)
  assert.throws(() => engine.issue('nobody', 42), TypeError)
  assert.throws(() => engine.issue(1, invoice), TypeError)
  assert.throws(() => engine.documentsByStatus('lost'), qayd.InvalidInputError)
  assert.throws(() => engine.document('till-1', -1), TypeError)
  assert.throws(() => engine.document('till-1', 1.5), TypeError)
  assert.throws(() => engine.events(0, -1), TypeError)
  assert.throws(() => engine.events('0'), TypeError)
  assert.throws(() => engine.setCredentials('till-1', {}), TypeError)
  assert.throws(() => engine.setCredentials('till-1', '{}'), qayd.InvalidInputError)
  // Without an environment the engine issues but cannot submit.
  assert.throws(() => engine.start(), qayd.InvalidInputError)
  await assert.rejects(engine.drain(), (e) => e instanceof qayd.InvalidInputError && e.code === 'INVALID_INPUT')
  await assert.rejects(engine.clear('nobody', invoice), qayd.InvalidInputError)
  await assert.rejects(engine.clear('nobody', 42), TypeError)
  await engine.stop()
})

test('close stops and releases; later calls throw, closing twice is fine', async () => {
  const engine = open()
  await engine.close()
  await engine.close()
  assert.equal(engine.isRunning, false)
  assert.throws(() => engine.statusCounts(), (e) => e instanceof qayd.InvalidInputError && /closed/.test(e.message))
  await assert.rejects(engine.drain(), qayd.InvalidInputError)
  await assert.rejects(engine.stop(), qayd.InvalidInputError)
})

test('a file store keeps its units across opens', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qayd-node-'))
  try {
    const store = path.join(dir, 'qayd.db')
    const first = qayd.Engine.open({ store })
    first.registerEgs('till-7')
    await first.close()
    const second = qayd.Engine.open({ store })
    assert.deepEqual(second.egsUnits().map((u) => u.egsId), ['till-7'])
    await second.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
