package sa.qayd

import java.io.File
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.condition.EnabledIfSystemProperty

/**
 * Stamping from Kotlin, to compare with the Rust core's criterion figures of the same names
 * (`stamp/bench-5-lines-xml`, `stamp_invoice/bench-5-lines-json`,
 * `stamp_invoice/standard-500-lines-json`). Not part of the test run; on a release build:
 *   cargo build --release -p qayd-kotlin
 *   mvn -f bindings-kotlin/pom.xml test -Dtest=StampBench -Dqayd.bench=true -Dqayd.native.dir=$PWD/target/release
 */
@EnabledIfSystemProperty(named = "qayd.bench", matches = "true")
class StampBench {
    private val time = "2025-07-22T15:51:28"

    private fun signer(): Signer {
        val certificates = File(testsDir, "vectors/sdk-R3.4.8/Data/Certificates")
        return Signer(File(certificates, "cert.pem").readBytes(), File(certificates, "ec-secp256k1-priv-key.pem").readBytes())
    }

    /** Best of 5 rounds of `n` calls (after `n` calls warming up the JIT), printed per call. */
    private fun bestOf(name: String, n: Int, call: () -> Unit) {
        repeat(n) { call() }
        var best = Double.MAX_VALUE
        repeat(5) {
            val start = System.nanoTime()
            repeat(n) { call() }
            best = minOf(best, (System.nanoTime() - start) / 1000.0 / n)
        }
        println("kotlin %s: %.1f µs per document (best of 5 × %d)".format(name, best, n))
    }

    @Test
    fun stampFiveLines() {
        val xml = File(testsDir, "bench/simplified-5-lines.xml").readBytes()
        signer().use { signer -> bestOf("stamp/bench-5-lines-xml", 2000) { signer.stamp(xml, time) } }
    }

    @Test
    fun stampInvoiceFromJson() {
        val five = File(testsDir, "bench/simplified-5-lines.json").readText()
        // The standard fixture with 500 copies of its lines, totals left to the engine (as the
        // Rust bench's `grown("standard_invoice", 500)`).
        val model = JSONObject(File(testsDir, "../core/tests/fixtures/models/standard_invoice.json").readText())
        model.remove("totals")
        val template = model.getJSONArray("lines")
        model.put("lines", JSONArray((0 until 500).map { template.get(it % template.length()) }))
        val large = model.toString()
        signer().use { signer ->
            bestOf("stamp_invoice/bench-5-lines-json", 2000) { signer.stampInvoice(five, time) }
            bestOf("stamp_invoice/standard-500-lines-json", 20) { signer.stampInvoice(large, time) }
        }
    }
}
