// The bytes results hold (XML, DER) as an immutable value that compares by content, so the data
// classes holding them compare as data classes should. `uniffi.toml` maps the Rust custom type
// `Bytes` (src/lib.rs) to this class.
package sa.qayd

import java.io.ByteArrayInputStream
import java.io.InputStream
import java.io.OutputStream

/**
 * Bytes a result holds: `StampedInvoice.xml`, `Document.xml` and `clearedXml`,
 * `ApiAnswer.clearedXml`, `CertificateInfo.der` and `publicKeyDer`.
 *
 * Immutable, and equal to any [Bytes] with the same content, so two stamps of the same input at
 * the same signing time are `==` and hash alike (a `ByteArray` in a data class compares by
 * reference). `toString()` gives the size, never the content.
 *
 * The raw bytes: [toByteArray] (a copy), [decodeToString] (the text; XML is UTF-8),
 * [inputStream], [writeTo]. The document functions take [Bytes] as they take a `ByteArray`:
 * `verify(stamped.xml)`, `invoiceHash(document.xml)`, `client.reporting(token, secret, stamped.xml)`.
 */
class Bytes private constructor(private val content: ByteArray) {
    /** The number of bytes. */
    val size: Int get() = content.size

    fun isEmpty(): Boolean = content.isEmpty()

    operator fun get(index: Int): Byte = content[index]

    /** A copy of the bytes, yours to change. */
    fun toByteArray(): ByteArray = content.copyOf()

    /** The bytes as UTF-8 text (the encoding of every XML document Qayd writes and reads). */
    fun decodeToString(): String = content.decodeToString()

    /** Reads the bytes without copying them. */
    fun inputStream(): InputStream = ByteArrayInputStream(content)

    /** Writes the bytes to [out] without copying them, e.g. to a file or an HTTP response. */
    fun writeTo(out: OutputStream) = out.write(content)

    /** Whether [other] holds the same bytes. */
    fun contentEquals(other: ByteArray?): Boolean = content.contentEquals(other)

    override fun equals(other: Any?): Boolean = this === other || (other is Bytes && content.contentEquals(other.content))

    override fun hashCode(): Int = content.contentHashCode()

    override fun toString(): String = "Bytes(size=$size)"

    /** The array itself, for the generated converter, which only copies it into Rust. */
    internal val unsafeArray: ByteArray get() = content

    companion object {
        /** [bytes] as a [Bytes] (copied: changing the array later does not change it). */
        @JvmStatic
        fun of(bytes: ByteArray): Bytes = Bytes(bytes.copyOf())

        /** Takes a fresh array from the generated converter, nobody else holds it: no copy. */
        internal fun wrap(bytes: ByteArray): Bytes = Bytes(bytes)
    }
}

// The document functions, taking the bytes of a result as they take a ByteArray (no copy).

/** [invoiceHash] of a document a result holds. */
fun invoiceHash(xml: Bytes): String = invoiceHash(xml.unsafeArray)

/** [verify] of a document a result holds. */
fun verify(xml: Bytes): VerificationReport = verify(xml.unsafeArray)

/** [validate] of a document a result holds. */
fun validate(xml: Bytes): ValidationReport = validate(xml.unsafeArray)

/** [pdf] of a document a result holds. */
fun pdf(xml: Bytes, logoPng: ByteArray? = null, footer: String? = null): ByteArray = pdf(xml.unsafeArray, logoPng, footer)

/** [ApiClient.reporting] of a document a result holds. */
suspend fun ApiClient.reporting(token: String, secret: String, signedXml: Bytes): ApiAnswer =
    reporting(token, secret, signedXml.unsafeArray)

/** [ApiClient.clearance] of a document a result holds. */
suspend fun ApiClient.clearance(token: String, secret: String, signedXml: Bytes): ApiAnswer =
    clearance(token, secret, signedXml.unsafeArray)

/** [ApiClient.complianceInvoice] of a document a result holds. */
suspend fun ApiClient.complianceInvoice(token: String, secret: String, signedXml: Bytes): ApiAnswer =
    complianceInvoice(token, secret, signedXml.unsafeArray)
