#!/usr/bin/env node
// Onboard an EGS unit and run the durable engine against the local Fatoora stand-in.
//
//   cargo build -p qayd-cli && node bindings-node/scripts/build.mjs
//   node examples/node/engine.mjs [gateway base URL]
//
// Without an argument it starts `target/debug/qayd gateway --port 0` (a local gateway on
// 127.0.0.1 that accepts the OTP 123456) and stops it at the end. Against the real platform,
// use `simulation` or `core` with an OTP from the Fatoora portal and your own identity.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// In your own project: `const qayd = require('qayd')` after `npm install <path to>/bindings-node`.
const qayd = require(path.join(REPO, 'bindings-node'))

async function localGateway() {
  const child = spawn(path.join(REPO, 'target/debug/qayd'), ['gateway', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const [url] = await Promise.race([
    new Promise((resolve) => createInterface({ input: child.stdout }).once('line', (line) => resolve([line]))),
    new Promise((_, reject) => child.once('error', reject)),
  ])
  return { url, stop: () => child.kill('SIGTERM') }
}

const gateway = process.argv[2] ? { url: process.argv[2], stop() {} } : await localGateway()
const dir = mkdtempSync(path.join(tmpdir(), 'qayd-example-'))
try {
  // 1. Onboarding: key, CSR, compliance CSID, compliance samples, production CSID.
  const identity = qayd.identityFromText(
    readFileSync(path.join(REPO, 'tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties'), 'utf8'),
  )
  const credentials = await qayd.onboard(identity, '123456', gateway.url, {}, (p) =>
    console.log(`  [${p.index}/${p.total}] ${p.step}`),
  )
  console.log(`onboarded: ${credentials}`) // toString shows no secret

  // 2. The engine on an SQLite file; credentials sealed with a master key (keep it safe, e.g.
  //    in QAYD_MASTER_KEY; here a throwaway one).
  const engine = qayd.Engine.open({
    store: path.join(dir, 'qayd.db'),
    environment: gateway.url,
    masterKey: randomBytes(32).toString('base64'),
  })
  engine.setCredentials('till-1', credentials)

  // 3. Simplified invoices: issue now (stamped, chained, stored), report in the background.
  const issued = engine.issue('till-1', JSON.parse(qayd.sampleInvoiceJson(identity, 'simplified', 'invoice')))
  console.log(`issued ICV ${issued.info.icv} (${issued.info.status}), QR ready for the receipt`)
  const report = await engine.drain()
  console.log(`drain: sent ${report.sent}, reported ${report.reported}`)

  // 4. Standard invoices: cleared before delivery; deliver ZATCA's cleared XML.
  const cleared = await engine.clear('till-1', qayd.sampleInvoiceJson(identity, 'standard', 'invoice'))
  console.log(`clear: ${cleared.outcome}, cleared XML ${cleared.document.clearedXml?.length ?? 0} bytes`)

  console.log('status counts:', JSON.stringify(engine.statusCounts()))
  console.log('audit intact:', engine.verifyAudit().intact)
  await engine.close()
} finally {
  gateway.stop()
  rmSync(dir, { recursive: true, force: true })
}
