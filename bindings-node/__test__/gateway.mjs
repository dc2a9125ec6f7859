// The local Fatoora stand-in (`qayd gateway --port 0`) as a child process, for end-to-end tests.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { REPO, qayd } from './helpers.mjs'

export const CLI = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, 'target'), 'debug/qayd')

/** Starts the gateway; resolves to `{url, inject(faults), close()}` once it printed its URL. */
export async function startGateway() {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`cargo build -p qayd-cli\` (test.sh does)`)
  const child = spawn(CLI, ['gateway', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const lines = createInterface({ input: child.stdout })
  const url = await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    exited.then((code) => Promise.reject(new Error(`the gateway exited with ${code}`))),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the gateway printed no URL in 20 s')), 20_000).unref()),
  ])
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`unexpected first line: ${url}`)
  return {
    url,
    /** Injects faults (`{status, retry_after, path, count, …}`, see gateway/src/lib.rs `Fault`). */
    async inject(faults) {
      const response = await fetch(`${url}/__qayd/faults`, { method: 'POST', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } })
      if (!response.ok) throw new Error(`fault injection failed: ${response.status} ${await response.text()}`)
    },
    async close() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

export const identityText = readFileSync(path.join(REPO, 'tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties'), 'utf8')
export const identity = () => qayd.identityFromText(identityText)
