// Stamps a ZATCA invoice with Qayd from Kotlin, verifies it, decodes its QR code and writes the
// stamped XML and a PNG of the QR code.
//
//   mvn -f bindings-kotlin/pom.xml install        # the sa.qayd:qayd jar, native library inside
//   mvn -f examples/kotlin/pom.xml -q compile exec:java
//   mvn -f examples/kotlin/pom.xml -q compile exec:java -Dexec.args="invoice.xml cert.pem key.pem out.xml"
//
// Without arguments it stamps the SDK sample with the SDK test certificate into
// examples/kotlin/target/stamped.xml.

import java.io.File
import sa.qayd.QaydException
import sa.qayd.Signer
import sa.qayd.qrDecode
import sa.qayd.qrPng
import sa.qayd.verify

fun main(args: Array<String>) {
    val sdk = "tests/vectors/sdk-R3.4.8/Data"
    val invoice = File(args.getOrElse(0) { "$sdk/Samples/Simplified/Invoice/Simplified_Invoice.xml" })
    val certificate = File(args.getOrElse(1) { "$sdk/Certificates/cert.pem" })
    val privateKey = File(args.getOrElse(2) { "$sdk/Certificates/ec-secp256k1-priv-key.pem" })
    val output = File(args.getOrElse(3) { "stamped.xml" })

    try {
        Signer(certificate.readBytes(), privateKey.readBytes()).use { signer ->
            println("signing as ${signer.certificate().issuerName} / serial ${signer.certificate().serialNumber}")
            val stamped = signer.stamp(invoice.readBytes(), signingTime = null) // null = now
            println("uuid:         ${stamped.uuid}")
            println("invoice hash: ${stamped.invoiceHash}")
            println("signing time: ${stamped.signingTime}")

            val report = verify(stamped.xml)
            println("verifies:     ${report.valid}")
            for (field in qrDecode(stamped.qr)) {
                println("  QR ${field.tag} ${field.name}: ${field.value.take(60)}")
            }
            output.writeBytes(stamped.xml.toByteArray()) // Bytes: immutable, compared by content
            File(output.path.removeSuffix(".xml") + "-qr.png").writeBytes(qrPng(stamped.qr)) // 8 pixels per module by default
            println("wrote $output")
        }
    } catch (e: QaydException.InvalidInput) {
        // The family of errors that are the caller's to fix (InvalidXml, InvalidModel, KeyMismatch,
        // …), each still its own class with its own properties.
        val rule = (e as? QaydException.InvalidModel)?.rule?.let { " (rule $it)" } ?: ""
        System.err.println("bad input: ${e.code}$rule: ${e.reason}")
        kotlin.system.exitProcess(1)
    } catch (e: QaydException) {
        System.err.println("failed: ${e.message}") // "CODE: reason"
        kotlin.system.exitProcess(1)
    }
}
