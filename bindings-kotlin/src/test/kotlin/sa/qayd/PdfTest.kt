package sa.qayd

import java.io.File
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** `pdf`: a stamped document as PDF/A-3b with the signed XML embedded. */
class PdfTest {
    private val samples = File(testsDir, "vectors/sdk-R3.4.8/Data/Samples")
    private val certificates = File(testsDir, "vectors/sdk-R3.4.8/Data/Certificates")

    private fun stamped(): ByteArray = Signer(
        File(certificates, "cert.pem").readBytes(),
        File(certificates, "ec-secp256k1-priv-key.pem").readBytes(),
    ).use { it.stamp(File(samples, "Simplified/Invoice/Simplified_Invoice.xml").readBytes(), "2025-07-22T15:51:28").xml.toByteArray() }

    /** The PDF's bytes as Latin-1 text, to look for names in it. */
    private fun ByteArray.latin1() = String(this, Charsets.ISO_8859_1)

    @Test
    fun `a stamped invoice becomes a PDF-A-3 with the XML embedded`() {
        val xml = stamped()
        val number = String(xml, Charsets.UTF_8).substringAfter("<cbc:ProfileID>").substringAfter("<cbc:ID>").substringBefore("</cbc:ID>")
        val document = pdf(xml)
        assertTrue(document.latin1().startsWith("%PDF-"))
        assertContains(document.latin1(), "/AFRelationship")
        assertContains(document.latin1(), "$number.xml")
        assertTrue(document.contentEquals(pdf(xml, null, null)), "same document, same PDF")
    }

    @Test
    fun `logo and footer change the page`() {
        val xml = stamped()
        val plain = pdf(xml)
        val withLogo = pdf(xml, logoPng = qrPng("logo", 4))
        val withFooter = pdf(xml, footer = "IBAN SA03 8000 0000 6080 1016 7519 · شكراً لتعاملكم")
        assertTrue(withLogo.latin1().startsWith("%PDF-") && withFooter.latin1().startsWith("%PDF-"))
        assertFalse(plain.contentEquals(withLogo))
        assertFalse(plain.contentEquals(withFooter))
    }

    @Test
    fun `bad input raises the matching QaydException`() {
        assertEquals("INVALID_XML", assertThrows<QaydException.InvalidXml> { pdf("not xml".toByteArray()) }.code)
        val unsigned = File(testsDir, "conformance/inputs/simplified-invoice.unsigned.xml").readBytes()
        val noQr = assertThrows<QaydException.InvalidDocument> { pdf(unsigned) }
        assertEquals("INVALID_DOCUMENT", noQr.code)
        assertContains(noQr.reason, "no QR code")
        val badLogo = assertThrows<QaydException.InvalidInput> { pdf(stamped(), logoPng = "GIF89a".toByteArray()) }
        assertEquals("INVALID_INPUT", badLogo.code)
        assertContains(badLogo.reason, "logo")
    }
}
