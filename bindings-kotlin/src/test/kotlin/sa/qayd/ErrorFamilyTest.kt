package sa.qayd

import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * The exceptions grouped by family (src/main/kotlin/sa/qayd/QaydException.kt): one `catch` of a
 * family class takes every member, from real failing calls; and every core code has its class in
 * exactly one family. No network beyond a closed port on 127.0.0.1.
 */
class ErrorFamilyTest {
    private val certificates = File(testsDir, "vectors/sdk-R3.4.8/Data/Certificates")
    private val cert = File(certificates, "cert.pem").readBytes()
    private val key = File(certificates, "ec-secp256k1-priv-key.pem").readBytes()
    private val keys = File(testsDir, "conformance/keys")
    private val inputs = File(testsDir, "conformance/inputs")

    // Each helper is one `catch` of the family class: anything outside the family escapes it and
    // fails the test; a call that does not fail fails it too.
    private fun caughtAsInput(call: () -> Unit): QaydException.InvalidInput =
        try { call(); fail("expected an INPUT error") } catch (e: QaydException.InvalidInput) { e }

    private fun caughtAsApi(call: () -> Unit): QaydException.Api =
        try { call(); fail("expected an API error") } catch (e: QaydException.Api) { e }

    private fun caughtAsStorage(call: () -> Unit): QaydException.Storage =
        try { call(); fail("expected a STORAGE error") } catch (e: QaydException.Storage) { e }

    private fun caughtAsSecret(call: () -> Unit): QaydException.Secret =
        try { call(); fail("expected a SECRET error") } catch (e: QaydException.Secret) { e }

    @Test
    fun `catching InvalidInput catches every INPUT error, each keeping its own class`() {
        val xml = File(inputs, "simplified-invoice.unsigned.xml").readBytes()
        val caught = listOf(
            caughtAsInput { generate("{") },
            caughtAsInput { invoiceHash("not xml".toByteArray()) },
            caughtAsInput { invoiceHash("<a/>".toByteArray()) },
            caughtAsInput { generate(File(inputs, "model-bad-vat.json").readText()) },
            caughtAsInput { Signer(cert, "not a key".toByteArray()).close() },
            caughtAsInput { Signer("nope".toByteArray(), key).close() },
            caughtAsInput { Signer(cert, File(keys, "other-secp256k1.pem").readBytes()).close() },
            caughtAsInput { qrDecode("***") },
            caughtAsInput { Signer(cert, key).use { it.stamp(xml, "22/07/2025 15:51") } },
        )
        assertEquals(
            listOf("INVALID_INPUT", "INVALID_XML", "INVALID_DOCUMENT", "INVALID_MODEL", "INVALID_KEY",
                "INVALID_CERTIFICATE", "KEY_MISMATCH", "INVALID_QR", "INVALID_INPUT"),
            caught.map { it.code },
        )
        assertEquals(
            listOf(QaydException.InvalidInput::class, QaydException.InvalidXml::class, QaydException.InvalidDocument::class,
                QaydException.InvalidModel::class, QaydException.InvalidKey::class, QaydException.InvalidCertificate::class,
                QaydException.KeyMismatch::class, QaydException.InvalidQr::class, QaydException.InvalidInput::class),
            caught.map { it::class },
        )
        assertTrue(caught.all { it.kind == ErrorKind.INPUT && it.reason.isNotEmpty() && it.message == "${it.code}: ${it.reason}" })
        // The specific class keeps its properties: InvalidModel within InvalidInput, as in Python.
        val model = assertIs<QaydException.InvalidModel>(caught[3])
        assertTrue(!model.rule.isNullOrEmpty() && model.rule!! in model.reason, "${model.rule} / ${model.reason}")
    }

    @Test
    fun `catching Api catches the errors of talking to Fatoora`() {
        val identity = identityFromText(File(testsDir, "vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties").readText())
        // Nothing listens on port 9: onboarding cannot reach the platform.
        val network = caughtAsApi {
            runBlocking { onboard(identity, "123456", "http://127.0.0.1:9", ClientOptions(connectTimeoutMs = 1_000L)) }
        }
        assertIs<QaydException.Network>(network)
        assertEquals("NETWORK" to ErrorKind.API, network.code to network.kind)
        assertEquals(null, network.status, "no answer came")
        // (API_REJECTED with its status, from the local gateway: EngineFlowTest, "the API client classifies answers".)
    }

    @Test
    fun `catching Storage and Secret catches the local faults`(@TempDir dir: File) {
        val storage = caughtAsStorage { Engine(EngineOptions(store = File(dir, "no/such/dir/q.db").path)).close() }
        assertEquals("STORAGE" to ErrorKind.STORAGE, storage.code to storage.kind)
        val secret = caughtAsSecret { Engine(EngineOptions(store = ":memory:"), masterKey = "short").close() }
        assertEquals("SECRET" to ErrorKind.SECRET, secret.code to secret.kind)
    }

    @Test
    fun `every core error code has its own class, in exactly one family`() {
        val families = mapOf(
            QaydException.InvalidInput::class.java to ErrorKind.INPUT,
            QaydException.Api::class.java to ErrorKind.API,
            QaydException.Storage::class.java to ErrorKind.STORAGE,
            QaydException.Secret::class.java to ErrorKind.SECRET,
        )
        val codes = errorCodes()
        assertTrue(codes.size >= 16, "the core lists its codes")
        for (code in codes) {
            // The kind passed in only matters for a code without a class (Other keeps it).
            val e = QaydException.of(code, ErrorKind.SECRET, "reason", null, null)
            assertTrue(e !is QaydException.Other, "core error code $code has no QaydException class: add one to QaydException.kt")
            assertEquals(code, e.code)
            // Named after its code: QaydException.InvalidModel is INVALID_MODEL.
            assertEquals(code, e.javaClass.simpleName.replace(Regex("([a-z])([A-Z])"), "$1_$2").uppercase())
            val memberOf = families.filterKeys { it.isInstance(e) }
            assertEquals(1, memberOf.size, "$code belongs to ${memberOf.keys}")
            assertEquals(memberOf.values.single(), e.kind, code)
        }
        // Every concrete class but Other has a code (no class outlives its code).
        val named = QaydException::class.java.declaredClasses
            .filter { QaydException::class.java.isAssignableFrom(it) && !java.lang.reflect.Modifier.isAbstract(it.modifiers) }
            .filter { it != QaydException.Other::class.java }
            .map { it.simpleName.replace(Regex("([a-z])([A-Z])"), "$1_$2").uppercase() }.toSet()
        assertEquals(codes.toSet(), named)
        // An unknown code still arrives, with its kind.
        val other = QaydException.of("NEW_CODE", ErrorKind.API, "reason", null, 502)
        assertEquals(Triple("NEW_CODE", ErrorKind.API, "NEW_CODE: reason"), Triple(other.code, other.kind, other.message))
    }

    @Test
    fun `an exhaustive when over the families needs no else`() {
        fun advice(e: QaydException): String = when (e) {
            is QaydException.InvalidInput -> "fix the input"
            is QaydException.Api -> "try later or check the credentials (${e.status})"
            is QaydException.Storage -> "check the store"
            is QaydException.Secret -> "check the master key"
            is QaydException.Other -> "update the bindings"
        }
        assertEquals("fix the input", advice(QaydException.InvalidModel("[BR-KSA-40] …", "BR-KSA-40")))
        assertEquals("try later or check the credentials (503)", advice(QaydException.Http("HTTP 503: unavailable", 503)))
        assertEquals("try later or check the credentials (401)", advice(QaydException.Unauthorized("unauthorized")))
    }
}
