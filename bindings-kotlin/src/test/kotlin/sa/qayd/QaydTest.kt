package sa.qayd

import java.io.File
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Where the repository's tests/ directory is (set by surefire; defaults to ../tests). */
internal val testsDir: File = File(System.getProperty("qayd.tests.dir") ?: "../tests")

class QaydTest {
    private val samples = File(testsDir, "vectors/sdk-R3.4.8/Data/Samples")
    private val certificates = File(testsDir, "vectors/sdk-R3.4.8/Data/Certificates")
    private val signingTime = "2025-07-22T15:51:28"

    private fun sdkSigner() = Signer(
        File(certificates, "cert.pem").readBytes(),
        File(certificates, "ec-secp256k1-priv-key.pem").readBytes(),
    )

    private fun declaredHash(xml: String): String {
        val reference = xml.substringAfter("<ds:Reference Id=\"invoiceSignedData\"")
        return reference.substringAfter("<ds:DigestValue>").substringBefore("</ds:DigestValue>")
    }

    @Test
    fun `every SDK sample hashes to its DigestValue`() {
        val files = samples.walkTopDown().filter { it.isFile && it.extension == "xml" }.sorted().toList()
        assertEquals(19, files.size, "the 19 SDK R3.4.8 samples")
        for (file in files) {
            val bytes = file.readBytes()
            assertEquals(declaredHash(String(bytes, Charsets.UTF_8)), invoiceHash(bytes), file.path)
        }
    }

    @Test
    fun `a stamp with the SDK certificate verifies`() {
        sdkSigner().use { signer ->
            val xml = File(samples, "Simplified/Invoice/Simplified_Invoice.xml").readBytes()
            val stamped = signer.stamp(xml, signingTime)
            assertEquals("8e6000cf-1a98-4174-b3e7-b5d5954bc10d", stamped.uuid)
            assertEquals(signingTime, stamped.signingTime)
            assertEquals(stamped.invoiceHash, invoiceHash(stamped.xml))

            val report = verify(stamped.xml)
            assertTrue(report.valid, report.checks.filter { !it.passed }.toString())
            assertEquals(stamped.invoiceHash, report.invoiceHash)
            assertTrue(report.checks.any { it.name == "signature" && it.passed })

            // Deterministic signatures (RFC 6979): same input, same bytes.
            val again = signer.stamp(xml, signingTime)
            assertEquals(stamped.xml, again.xml)
            assertEquals(stamped.signature, again.signature)
            // null = now.
            assertEquals(19, signer.stamp(xml, null).signingTime.length)

            val fields = qrDecode(stamped.qr)
            assertEquals((1..9).toList(), fields.map { it.tag })
            assertEquals("invoice_hash", fields[5].name)
            assertEquals(stamped.invoiceHash, fields[5].value)
            assertEquals(stamped.signature, fields[6].value)
            assertContains(qrSvg(stamped.qr), "<svg")
            val png = qrPng(stamped.qr, 2)
            assertTrue(png.copyOfRange(0, 4).contentEquals(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte())))

            val certificate = signer.certificate()
            assertTrue(certificate.issuerName.isNotEmpty())
            assertTrue(certificate.serialNumber.all { it.isDigit() })
            assertTrue(certificate.notAfterUnix > certificate.notBeforeUnix)
            assertEquals(fields[7].value, java.util.Base64.getEncoder().encodeToString(certificate.publicKeyDer.toByteArray()))
        }
    }

    @Test
    fun `a generated invoice stamps and verifies`() {
        val model = File(testsDir, "../core/tests/fixtures/models/simplified_invoice.json").readText()
        val xml = generate(model)
        assertTrue(String(xml.copyOfRange(0, 5), Charsets.UTF_8) == "<?xml")
        assertTrue(xml.contentEquals(generate(model)), "deterministic")
        sdkSigner().use { signer ->
            val stamped = signer.stamp(xml, signingTime)
            assertEquals(invoiceHash(xml), stamped.invoiceHash)
            assertTrue(verify(stamped.xml).valid)
        }
        assertEquals("INVALID_INPUT", assertThrows<QaydException.InvalidInput> { generate("{") }.code)
        assertEquals("INVALID_INPUT", assertThrows<QaydException.InvalidInput> { generate("{\"not\": 1}") }.code)
    }

    @Test
    fun `stampInvoice is stamp of generate, without the re-parse`() {
        val model = File(testsDir, "../core/tests/fixtures/models/standard_invoice.json").readText()
        sdkSigner().use { signer ->
            val fast = signer.stampInvoice(model, signingTime)
            val slow = signer.stamp(generate(model), signingTime)
            assertEquals(slow.xml, fast.xml, "the same bytes")
            assertEquals(slow.copy(xml = fast.xml), fast)
            assertTrue(verify(fast.xml).valid)
            assertEquals(19, signer.stampInvoice(model).signingTime.length, "null = now, by default")
            assertEquals("INVALID_INPUT", assertThrows<QaydException.InvalidInput> { signer.stampInvoice("{") }.code)
            val bad = File(testsDir, "conformance/inputs/model-bad-vat.json").readText()
            val refused = assertThrows<QaydException.InvalidModel> { signer.stampInvoice(bad, signingTime) }
            assertEquals("INVALID_MODEL", refused.code)
        }
    }

    @Test
    fun `results holding bytes compare by content`() {
        sdkSigner().use { signer ->
            val xml = File(samples, "Simplified/Invoice/Simplified_Invoice.xml").readBytes()
            val first = signer.stamp(xml, signingTime)
            val second = signer.stamp(xml, signingTime)
            assertTrue(first.xml !== second.xml, "two calls, two results")
            assertEquals(first, second)
            assertEquals(first.hashCode(), second.hashCode())
            val later = signer.stamp(xml, "2025-07-22T15:51:29")
            assertNotEquals(first, later)
            assertNotEquals(first.xml, later.xml)
            assertEquals(first, later.copy(xml = first.xml, invoiceHash = first.invoiceHash, signature = first.signature,
                qr = first.qr, signingTime = first.signingTime), "only the signing time and what follows from it differ")
            assertEquals(signer.certificate(), sdkSigner().use { it.certificate() })

            // The raw bytes stay one call away; the value cannot be changed through them.
            val raw = first.xml.toByteArray()
            assertEquals(first.xml.size, raw.size)
            assertTrue(first.xml.contentEquals(raw))
            assertEquals(first.xml, Bytes.of(raw))
            raw[0] = 0
            assertFalse(first.xml.contentEquals(raw))
            assertEquals(first.xml, second.xml)
            assertEquals(String(second.xml.toByteArray(), Charsets.UTF_8), first.xml.decodeToString())
            assertEquals(first.xml.decodeToString(), first.xml.inputStream().readBytes().decodeToString())
            // toString() gives the size, never the document.
            assertEquals("Bytes(size=${first.xml.size})", first.xml.toString())
            assertFalse("<Invoice" in first.toString() || "<Invoice" in first.xml.toString(), first.toString())
        }
    }

    @Test
    fun `QR renderings, PNG at scale 8 by default and text for a terminal`() {
        val qr = sdkSigner().use { it.stamp(File(samples, "Simplified/Invoice/Simplified_Invoice.xml").readBytes(), signingTime).qr }
        val png = qrPng(qr)
        assertTrue(png.size > qrPng(qr, 2).size, "scale 8 draws a larger image than scale 2")
        assertTrue(png.contentEquals(qrPng(qr, 8)))
        val text = qrText(qr)
        assertTrue(text.lines().size > 10 && text.any { it == '█' || it == '▀' || it == '▄' }, text.take(80))
        assertThrows<QaydException.InvalidQr> { qrText("x".repeat(5000)) }
    }

    @Test
    fun `one signer stamps from many threads`() {
        sdkSigner().use { signer ->
            val xml = File(samples, "Standard/Invoice/Standard_Invoice.xml").readBytes()
            val expected = signer.stamp(xml, signingTime).xml
            val results = java.util.concurrent.ConcurrentLinkedQueue<Boolean>()
            val threads = (1..4).map {
                kotlin.concurrent.thread {
                    repeat(3) { results.add(signer.stamp(xml, signingTime).xml == expected) }
                }
            }
            threads.forEach { it.join() }
            assertEquals(List(12) { true }, results.toList())
            assertTrue(verify(expected).valid)
        }
    }

    @Test
    fun `tampering is detected`() {
        sdkSigner().use { signer ->
            val xml = File(samples, "Simplified/Invoice/Simplified_Invoice.xml").readBytes()
            val stamped = signer.stamp(xml, signingTime).xml.decodeToString()
            val tampered = stamped.replace(
                "<cbc:PayableAmount currencyID=\"SAR\">231.15<",
                "<cbc:PayableAmount currencyID=\"SAR\">931.15<",
            )
            assertTrue(tampered != stamped)
            val report = verify(tampered.toByteArray(Charsets.UTF_8))
            assertFalse(report.valid)
            val failed = report.checks.filter { !it.passed }.map { it.name }
            assertContains(failed, "invoice_hash")
        }
    }

    @Test
    fun `bad input raises the matching QaydException`() {
        val cert = File(certificates, "cert.pem").readBytes()
        val key = File(certificates, "ec-secp256k1-priv-key.pem").readBytes()
        val keys = File(testsDir, "conformance/keys")

        val xmlError = assertThrows<QaydException.InvalidXml> { invoiceHash("not xml".toByteArray()) }
        assertEquals("INVALID_XML", xmlError.code)
        assertTrue(xmlError.reason.isNotEmpty())
        assertIs<QaydException>(xmlError)
        assertEquals("INVALID_DOCUMENT", assertThrows<QaydException.InvalidDocument> { invoiceHash("<a/>".toByteArray()) }.code)
        assertEquals("INVALID_XML", assertThrows<QaydException.InvalidXml> { verify("<".toByteArray()) }.code)
        assertEquals("INVALID_KEY", assertThrows<QaydException.InvalidKey> { Signer(cert, "not a key".toByteArray()) }.code)
        assertEquals("INVALID_KEY", assertThrows<QaydException.InvalidKey> { Signer(cert, File(keys, "p256.pem").readBytes()) }.code)
        assertEquals("INVALID_CERTIFICATE", assertThrows<QaydException.InvalidCertificate> { Signer("nope".toByteArray(), key) }.code)
        assertEquals("KEY_MISMATCH", assertThrows<QaydException.KeyMismatch> { Signer(cert, File(keys, "other-secp256k1.pem").readBytes()) }.code)
        assertEquals("INVALID_QR", assertThrows<QaydException.InvalidQr> { qrDecode("***") }.code)
        assertEquals("INVALID_QR", assertThrows<QaydException.InvalidQr> { qrDecode("AQVhYg==") }.code)
        sdkSigner().use { signer ->
            val xml = File(samples, "Standard/Invoice/Standard_Invoice.xml").readBytes()
            val e = assertThrows<QaydException.InvalidInput> { signer.stamp(xml, "22/07/2025 15:51") }
            assertEquals("INVALID_INPUT", e.code)
            assertContains(e.message ?: "", "INVALID_INPUT")
        }
        // Catchable as the sealed base class.
        val base: QaydException = assertThrows<QaydException> { invoiceHash(ByteArray(0)) }
        // The base class exposes the code and reason too (src/main/kotlin/sa/qayd/QaydException.kt).
        val code = base.code
        assertTrue(base.reason.isNotEmpty())
        assertTrue(code in errorCodes())
        // Grouped by family, as the core groups them: every input error is an INPUT one.
        assertEquals(ErrorKind.INPUT, base.kind)
        assertEquals(ErrorKind.INPUT, xmlError.kind)
        val modelError: QaydException = assertThrows<QaydException.InvalidModel> {
            generate(File(testsDir, "conformance/inputs/model-bad-vat.json").readText())
        }
        assertEquals(ErrorKind.INPUT, modelError.kind)
        assertEquals(ErrorKind.INPUT, assertThrows<QaydException.KeyMismatch> { Signer(cert, File(keys, "other-secp256k1.pem").readBytes()) }.kind)
    }

    @Test
    fun `one exception subclass per core error code`() {
        val subclasses = QaydException::class.java.declaredClasses
            .filter { QaydException::class.java.isAssignableFrom(it) && !java.lang.reflect.Modifier.isAbstract(it.modifiers) }
            .map { it.simpleName.replace(Regex("([a-z])([A-Z])"), "$1_$2").uppercase() }
            .toSet()
        // `Other` is the fallback for a core code the bindings do not know yet: none may use it.
        // (The families, and every code's place in them: ErrorFamilyTest.)
        assertEquals(errorCodes().toSet(), subclasses - "OTHER")
        val model = QaydException.InvalidModel("[BR-KSA-40] …", rule = "BR-KSA-40")
        assertEquals("BR-KSA-40", model.rule)
        assertEquals("INVALID_MODEL", model.code)
        val http: QaydException = QaydException.Http("HTTP 503: unavailable", status = 503)
        assertEquals("HTTP", http.code)
        assertEquals("HTTP 503: unavailable", http.reason)
        assertEquals("HTTP: HTTP 503: unavailable", http.message)
        assertEquals(ErrorKind.API, http.kind)
    }

    @Test
    fun `constants`() {
        assertEquals(
            "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==",
            genesisPih(),
        )
        assertTrue(version().matches(Regex("""\d+\.\d+\.\d+.*""")))
    }
}
