import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export const require = createRequire(import.meta.url)
export const qayd = require('../index.js')

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SDK = path.join(REPO, 'tests/vectors/sdk-R3.4.8/Data')
export const CONFORMANCE = path.join(REPO, 'tests/conformance')
export const SIGNING_TIME = '2025-07-22T15:51:28'

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.xml') ? [full] : []
  })
}
export const SAMPLES = walk(path.join(SDK, 'Samples')).sort()

export const sample = (name) => readFileSync(SAMPLES.find((p) => path.basename(p) === name))
export const certBytes = readFileSync(path.join(SDK, 'Certificates/cert.pem'))
export const keyBytes = readFileSync(path.join(SDK, 'Certificates/ec-secp256k1-priv-key.pem'))
export const conformanceFile = (p) => readFileSync(path.join(CONFORMANCE, p))

/** The field names `index.d.ts` declares for `export interface <name>`, sorted. */
export function declaredFields(name) {
  const declarations = readFileSync(path.join(REPO, 'bindings-node/index.d.ts'), 'utf8')
  const body = declarations.match(new RegExp(`^export interface ${name}(?: extends \\w+)? \\{\\n([\\s\\S]*?)^\\}`, 'm'))
  if (!body) throw new Error(`index.d.ts declares no interface ${name}`)
  return [...body[1].matchAll(/^  (?:readonly )?(\w+)\??:/gm)].map((m) => m[1]).sort()
}

/** The ds:DigestValue of the invoiceSignedData reference, read with a regex. */
export function declaredHash(xml) {
  const text = xml.toString('utf8')
  const reference = text.match(/<ds:Reference Id="invoiceSignedData"[\s\S]*?<\/ds:Reference>/)[0]
  return reference.match(/<ds:DigestValue>(.*?)<\/ds:DigestValue>/)[1]
}

export const signer = new qayd.Signer(certBytes, keyBytes)
export const simplified = sample('Simplified_Invoice.xml')
export const standard = sample('Standard_Invoice.xml')
export const stamped = signer.stamp(simplified, { signingTime: SIGNING_TIME })
