package sa.qayd

import java.io.File
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.condition.EnabledIfSystemProperty

/**
 * Stamping the shared 5-line invoice (tests/bench/) from Kotlin, to compare with the Rust core's
 * `stamp/bench-5-lines-xml` criterion figure. Not part of the test run; on a release build:
 *   cargo build --release -p qayd-kotlin
 *   mvn -f bindings-kotlin/pom.xml test -Dtest=StampBench -Dqayd.bench=true -Dqayd.native.dir=$PWD/target/release
 */
@EnabledIfSystemProperty(named = "qayd.bench", matches = "true")
class StampBench {
    @Test
    fun stampFiveLines() {
        val certificates = File(testsDir, "vectors/sdk-R3.4.8/Data/Certificates")
        val xml = File(testsDir, "bench/simplified-5-lines.xml").readBytes()
        Signer(File(certificates, "cert.pem").readBytes(), File(certificates, "ec-secp256k1-priv-key.pem").readBytes())
            .use { signer ->
                repeat(2000) { signer.stamp(xml, "2025-07-22T15:51:28") } // warm up the JIT
                val n = 2000
                var best = Double.MAX_VALUE
                repeat(5) {
                    val start = System.nanoTime()
                    repeat(n) { signer.stamp(xml, "2025-07-22T15:51:28") }
                    best = minOf(best, (System.nanoTime() - start) / 1000.0 / n)
                }
                println("kotlin stamp/bench-5-lines-xml: %.1f µs per document (best of 5 × %d)".format(best, n))
            }
    }
}
