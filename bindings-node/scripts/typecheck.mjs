// `tsc --strict` over every ```js / ```ts snippet of README.md and bindings-node/README.md, typed
// by the committed index.d.ts as a TypeScript user's editor would type them. Each snippet becomes
// the body of an async function (snippets may `await`); its `require(...)` lines become typed
// imports and the names it leaves to the reader (`otp`, `invoice` …) are declared below.
//
//   node bindings-node/scripts/typecheck.mjs   # installs typescript + @types/node into
//                                               # target/node-typecheck/ on first use (npm)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const READMES = ['README.md', 'bindings-node/README.md']
const TOOLS = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, 'target'), 'node-typecheck')

const PREAMBLE = `import * as qayd from 'qayd'
import * as fs from 'node:fs'
declare const otp: string
declare const text: string
declare const masterKey: string
declare const invoice: Record<string, unknown>
declare const b2bInvoice: Record<string, unknown>
declare const invoiceModel: Record<string, unknown>
declare const standardInvoiceModel: Record<string, unknown>
`

const tsc = path.join(TOOLS, 'node_modules/typescript/bin/tsc')
if (!existsSync(tsc) || !existsSync(path.join(TOOLS, 'node_modules/@types/node'))) {
  mkdirSync(TOOLS, { recursive: true })
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', TOOLS, 'typescript@5', '@types/node@20'], { stdio: 'inherit' })
}

const work = path.join(TOOLS, 'snippets')
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const files = []
for (const readme of READMES) {
  const source = readFileSync(path.join(REPO, readme), 'utf8')
  for (const match of source.matchAll(/^```(?:js|ts|typescript|javascript)\n([\s\S]*?)^```/gm)) {
    const line = source.slice(0, match.index).split('\n').length
    const body = match[1]
      .split('\n')
      .filter((l) => !/^\s*const \w+ = require\('(qayd|node:fs)'\)/.test(l))
      .map((l) => `  ${l}`)
      .join('\n')
    const file = path.join(work, `snippet_${files.length}.ts`)
    writeFileSync(file, `// ${readme}:${line}\n${PREAMBLE}\nexport async function snippet(): Promise<void> {\n${body}\n}\n`)
    files.push(file)
  }
}
if (files.length === 0) throw new Error('no js/ts snippets found')
writeFileSync(
  path.join(work, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2022', 'esnext.disposable'],
      module: 'commonjs',
      moduleResolution: 'node',
      esModuleInterop: true,
      baseUrl: '.',
      paths: { qayd: [path.join(REPO, 'bindings-node/index.d.ts')] },
      typeRoots: [path.join(TOOLS, 'node_modules/@types')],
      types: ['node'],
    },
    files: files.map((f) => path.basename(f)),
  }),
)
execFileSync(process.execPath, [tsc, '-p', work], { stdio: 'inherit' })
console.log(`${files.length} README snippets pass tsc --strict against index.d.ts`)
