package sa.qayd

import java.io.File
import java.util.Base64
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Keys, identities, CSRs, samples and the engine's and client's input checks: no network. */
class EmbedTest {
    private val input = File(testsDir, "vectors/sdk-R3.4.8/Data/Input")
    private val sdkKey = File(testsDir, "vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem")
    private val identity = identityFromText(File(input, "csr-config-example-EN.properties").readText())

    @Test
    fun `an identity reads from properties and from JSON`() {
        assertEquals("TST-886431145-399999999900003", identity.commonName)
        assertEquals("399999999900003", identity.organizationIdentifier)
        assertEquals("1100", identity.invoiceType)
        assertEquals("SA", identity.countryName)
        val json = """{"common_name":"${identity.commonName}","serial_number":"${identity.serialNumber}",
            "organization_identifier":"${identity.organizationIdentifier}","organization_unit_name":"${identity.organizationUnitName}",
            "organization_name":"${identity.organizationName}","country_name":"SA","invoice_type":"1100",
            "location_address":"${identity.locationAddress}","industry_business_category":"${identity.industryBusinessCategory}"}"""
        assertEquals(identity, identityFromText(json))
        // A data class: copy() and equality work as Kotlin users expect.
        assertEquals("9", identity.copy(commonName = "9").commonName)

        assertEquals("INVALID_INPUT", assertThrows<QaydException.InvalidInput> { identityFromText("{") }.code)
        val unknown = assertThrows<QaydException.InvalidInput> { identityFromText(json.replace("\"country_name\"", "\"colour\"")) }
        assertContains(unknown.reason, "colour")
        assertThrows<QaydException.InvalidInput> { identityFromText("csr.common.name=only one") }
    }

    @Test
    fun `a CSR is built from a generated key and matches the SDK key's conformance output`() {
        val key = generatePrivateKeyPem()
        assertTrue(key.startsWith("-----BEGIN EC PRIVATE KEY-----"), key.take(40))
        assertFalse(key.contentEquals(generatePrivateKeyPem()), "two keys are different")
        val csr = buildCsr(identity, key.toByteArray(), "simulation")
        assertTrue(csr.pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"))
        assertEquals(csr.pem, String(Base64.getDecoder().decode(csr.base64)))

        // Deterministic for a given key (RFC 6979), and the environment changes the template.
        val sdk = buildCsr(identity, sdkKey.readBytes(), "core")
        assertEquals(sdk, buildCsr(identity, sdkKey.readBytes(), "production"))
        assertTrue(sdk.pem != buildCsr(identity, sdkKey.readBytes(), "simulation").pem)
    }

    @Test
    fun `bad CSR input is a typed error`() {
        val key = sdkKey.readBytes()
        assertEquals("INVALID_KEY", assertThrows<QaydException.InvalidKey> { buildCsr(identity, "not a key".toByteArray(), "core") }.code)
        assertThrows<QaydException.InvalidKey> { buildCsr(identity, File(testsDir, "conformance/keys/p256.pem").readBytes(), "core") }
        val env = assertThrows<QaydException.InvalidInput> { buildCsr(identity, key, "mars") }
        assertContains(env.reason, "mars")
        assertThrows<QaydException.InvalidInput> { buildCsr(identity.copy(organizationIdentifier = "12345"), key, "core") }
        assertThrows<QaydException.InvalidInput> { buildCsr(identity.copy(invoiceType = "11"), key, "core") }
    }

    @Test
    fun `sample invoices generate, and bad kinds are refused`() {
        for (kind in listOf("standard", "simplified")) {
            for (type in listOf("invoice", "credit_note", "debit_note", "388")) {
                val json = sampleInvoice(identity, kind, type)
                val xml = String(generate(json))
                assertContains(xml, identity.organizationIdentifier, message = "$kind $type")
            }
        }
        assertThrows<QaydException.InvalidInput> { sampleInvoice(identity, "weird", "invoice") }
        assertThrows<QaydException.InvalidInput> { sampleInvoice(identity, "standard", "receipt") }
    }

    @Test
    fun `master keys are 32 random bytes in base64`() {
        val key = generateMasterKey()
        assertEquals(32, Base64.getDecoder().decode(key).size)
        assertTrue(key != generateMasterKey())
    }

    @Test
    fun `credentials JSON is checked`() {
        assertThrows<QaydException.InvalidInput> { Credentials.fromJson("{") }
        assertThrows<QaydException.InvalidInput> { Credentials.fromJson("""{"environment":"core"}""") }
        assertThrows<QaydException.InvalidInput> { Credentials.fromJson("[]") }
    }

    @Test
    fun `engine options are checked`(@TempDir dir: File) {
        assertThrows<QaydException.InvalidInput> { Engine(EngineOptions(store = ":memory:", environment = "mars")) }
        val secret = assertThrows<QaydException.Secret> { Engine(EngineOptions(store = ":memory:"), masterKey = "short") }
        assertEquals("SECRET" to ErrorKind.SECRET, secret.code to secret.kind)
        assertThrows<QaydException.Secret> { Engine(EngineOptions(store = ":memory:"), masterKey = "not base64 at all!") }
        assertEquals(ErrorKind.STORAGE, assertThrows<QaydException.Storage> { Engine(EngineOptions(store = File(dir, "no/such/dir/q.db").path)) }.kind)
        val negative = assertThrows<QaydException.InvalidInput> { Engine(EngineOptions(store = ":memory:", retryBaseMs = -5L)) }
        assertContains(negative.reason, "retryBaseMs")
        assertThrows<QaydException.InvalidInput> { Engine(EngineOptions(store = ":memory:", maxAttempts = -1)) }
        assertThrows<QaydException.InvalidInput> { ApiClient("core", ClientOptions(timeoutMs = -1L)) }

        Engine(EngineOptions(store = ":memory:"), generateMasterKey()).use { engine ->
            val json = sampleInvoice(identity, "standard", "invoice")
            // No credentials for the unit: nothing to stamp with.
            assertThrows<QaydException.InvalidInput> { engine.issue("nobody", json) }
            assertThrows<QaydException.InvalidInput> { engine.issue("nobody", "{") }
            // No environment: issuing only, no worker and nothing to submit to.
            assertThrows<QaydException> { engine.start() }
            assertFalse(engine.isRunning())
            runBlocking { engine.stop() } // a no-op when not running
            // A status is a DocumentStatus: an unknown one cannot be passed at all.
            assertEquals(emptyList(), engine.documentsByStatus(DocumentStatus.PENDING, 10))
            assertThrows<QaydException.InvalidInput> { runBlocking { engine.clear("nobody", "{}") } }

            engine.registerEgs("till-1")
            engine.registerEgs("till-1")
            val unit = engine.egsUnits().single()
            assertEquals("till-1", unit.egsId)
            assertEquals(1L, unit.nextIcv)
            assertEquals(genesisPih(), unit.lastHash)
            assertFalse(unit.hasCredentials)
            assertNull(engine.document("till-1", 1L))
            assertNull(engine.documentByUuid("8e6000cf-1a98-4174-b3e7-b5d5954bc10d"))
            assertEquals(emptyList(), engine.documents("till-1"))
            assertEquals(emptyMap(), engine.statusCounts())
            assertEquals(emptyList(), engine.events(0, 10))
            assertFalse(engine.requeue("till-1", 1L))
            // Kotlin's signed numbers where the core's are unsigned: a negative one is bad input.
            assertThrows<QaydException.InvalidInput> { engine.document("till-1", -1L) }
            assertThrows<QaydException.InvalidInput> { engine.documentQr("till-1", -1L) }
            assertThrows<QaydException.InvalidInput> { engine.events(0, -1) }
            assertThrows<QaydException.InvalidInput> { engine.documentsByStatus(DocumentStatus.DEAD, -1) }
            assertNull(engine.documentQr("till-1", 1L))
            assertEquals(emptyList(), engine.events())
            assertEquals(0L, engine.recover())
            val audit = engine.verifyAudit()
            assertTrue(audit.intact)
            assertEquals(0L, audit.rows)
            assertEquals("", engine.exportAudit())
        }
    }

    @Test
    fun `the API client checks its environment, and an unreachable host is a retryable outcome`() {
        assertThrows<QaydException.InvalidInput> { ApiClient("ftp://x") }
        assertThrows<QaydException.InvalidInput> { ApiClient("mars") }
        ApiClient("http://127.0.0.1:9", ClientOptions(timeoutMs = 2_000L, connectTimeoutMs = 1_000L)).use { client ->
            val xml = File(testsDir, "vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml").readBytes()
            val answer = runBlocking { client.reporting("token", "secret", xml) }
            assertEquals(ApiOutcome.RETRYABLE, answer.outcome)
            assertNull(answer.httpStatus)
            assertTrue(!answer.reason.isNullOrEmpty())
            assertThrows<QaydException.InvalidXml> { runBlocking { client.reporting("token", "secret", "<".toByteArray()) } }
        }
        // Onboarding cannot start without the platform: a NETWORK error, not a hang or a crash.
        val e = assertThrows<QaydException.Network> {
            runBlocking { onboard(identity, "123456", "http://127.0.0.1:9", ClientOptions(connectTimeoutMs = 1_000L)) }
        }
        assertEquals("NETWORK" to ErrorKind.API, e.code to e.kind)
    }
}
