#!/usr/bin/env node
// Stamp an invoice with the ZATCA SDK's test certificate, verify it, print its hash and QR code.
//
//   npm install ./bindings-node          (or: node bindings-node/scripts/build.mjs)
//   node examples/node/stamp_invoice.mjs [invoice.xml] [--png qr.png]
//
// Without an argument it stamps the SDK's simplified sample invoice. The certificate and key are
// ZATCA's published *dummy* test material: never use them for real invoices.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// In your own project: `import qayd from 'qayd'` after `npm install <path to>/bindings-node`.
const qayd = require(path.join(REPO, 'bindings-node'))
const SDK = path.join(REPO, 'tests/vectors/sdk-R3.4.8/Data')

const args = process.argv.slice(2)
const pngAt = args.indexOf('--png')
const png = pngAt >= 0 ? args.splice(pngAt, 2)[1] : undefined
const invoice = args[0] ?? path.join(SDK, 'Samples/Simplified/Invoice/Simplified_Invoice.xml')

let signer, stamped
try {
  signer = new qayd.Signer(
    readFileSync(path.join(SDK, 'Certificates/cert.pem')),
    readFileSync(path.join(SDK, 'Certificates/ec-secp256k1-priv-key.pem')),
  )
  stamped = signer.stamp(readFileSync(invoice))
} catch (error) {
  if (!(error instanceof qayd.InvalidInputError)) throw error
  console.error(`cannot stamp ${invoice}: [${error.code}] ${error.message}`)
  process.exit(2)
}

console.log(`qayd ${qayd.version}`)
console.log(`certificate : ${signer.certificate.issuerName} (valid until ${signer.certificate.notAfter.toISOString().slice(0, 10)})`)
console.log(`uuid        : ${stamped.uuid}`)
console.log(`signing time: ${stamped.signingTime}`)
console.log(`invoice hash: ${stamped.invoiceHash}`)
console.log(`QR          : ${stamped.qr}`)
for (const field of qayd.qrDecode(stamped.qr)) {
  console.log(`  ${String(field.tag).padStart(2)} ${field.name.padEnd(22)} ${field.value}`)
}

const report = qayd.verify(stamped.xml)
for (const check of report.checks) {
  console.log(`  ${check.passed ? 'ok  ' : 'FAIL'} ${check.name.padEnd(26)} ${check.message}`)
}
console.log(report.valid ? 'VALID' : 'INVALID')

if (png) {
  writeFileSync(png, qayd.qrPng(stamped.qr))
  console.log(`QR image written to ${png}`)
}
process.exitCode = report.valid ? 0 : 1
