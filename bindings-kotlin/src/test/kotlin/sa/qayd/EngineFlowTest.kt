package sa.qayd

import java.io.File
import java.nio.file.Files
import java.util.Collections
import java.util.UUID
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/**
 * End to end against the local Fatoora gateway (a `qayd gateway` child process on 127.0.0.1):
 * onboarding, the engine (issue, drain through an outage, clear, worker, events, audit), sealed
 * credentials, and the API client's classification of answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineFlowTest {
    private lateinit var gateway: LocalGateway
    private lateinit var credentials: Credentials
    private val steps: MutableList<String> = Collections.synchronizedList(mutableListOf())
    private val dir: File = Files.createTempDirectory("qayd-kotlin").toFile()
    private val identity =
        identityFromText(File(testsDir, "vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties").readText())

    @BeforeAll
    fun onboardOnce() {
        gateway = LocalGateway()
        credentials = runBlocking {
            onboard(identity, "123456", gateway.baseUrl, progress = onboardingProgress { p ->
                assertTrue(p.index in 1..p.total, "${p.step} ${p.index}/${p.total}")
                steps.add(p.step)
            })
        }
    }

    @AfterAll
    fun shutDown() {
        credentials.close()
        gateway.close()
        dir.deleteRecursively()
    }

    /**
     * A unit of its own: the platform keeps one ICV/PIH chain per EGS unit (VAT number + serial
     * number), so every test that submits documents onboards a unit of its own.
     */
    private fun onboardUnit(): Credentials = runBlocking {
        onboard(identity.copy(serialNumber = "1-Qayd|2-Kotlin|3-${UUID.randomUUID()}"), "123456", gateway.baseUrl)
    }

    private fun engine(store: String, masterKey: String? = generateMasterKey()) = Engine(
        EngineOptions(store = store, environment = gateway.baseUrl, retryBaseMs = 10L, retryCapMs = 20L, clearWaitMs = 5_000L),
        masterKey,
    )

    /** Drains until a pass sends something (retry times are whole seconds). */
    private suspend fun drainUntilSent(engine: Engine): DrainReport {
        val deadline = System.nanoTime() + 10_000_000_000L
        while (true) {
            val pass = engine.drain()
            if (pass.sent > 0L) return pass
            if (System.nanoTime() > deadline) fail("the retry never came due")
            delay(50)
        }
    }

    @Test
    fun `onboarding reports its steps and the credentials keep their secrets`() {
        assertEquals("generate key", steps.first())
        assertEquals("production CSID", steps.last())
        assertContains(steps, "compliance CSID")

        val json = credentials.toJson()
        val secret = credentials.productionSecret()
        val privateKey = JSONObject(json).getString("private_key")
        assertTrue(secret.isNotEmpty() && json.contains(secret))
        for (shown in listOf(credentials.toString(), credentials.summaryJson())) {
            assertFalse(shown.contains(secret), "a secret in $shown")
            assertFalse(shown.contains(privateKey.lines()[1]), "the key in $shown")
        }
        assertContains(credentials.toString(), identity.commonName)
        // Kotlin's own form, with no token either (the certificate a CSID's secret goes with).
        assertTrue(credentials.toString().startsWith("Credentials(environment=custom("), credentials.toString())
        assertContains(credentials.toString(), "productionSecret=<redacted>")
        assertFalse(credentials.toString().contains(credentials.productionToken()), "the token in $credentials")
        assertEquals("custom(${gateway.baseUrl})", credentials.environment())
        assertEquals(identity, credentials.identity())
        assertTrue(credentials.certificateExpiry() > credentials.issuedAt())

        Credentials.fromJson(json).use { again ->
            assertEquals(json, again.toJson())
            assertEquals(credentials.productionToken(), again.productionToken())
        }
    }

    @Test
    fun `issue, report through an outage, clear, then inspect events and audit`(): Unit = runBlocking {
        val credentials = onboardUnit()
        engine(File(dir, "flow.db").path).use { engine ->
            engine.setCredentials("till-1", credentials)
            val simplified = sampleInvoice(credentials.identity(), "simplified", "invoice")
            val issued = engine.issue("till-1", simplified)
            assertEquals(1L, issued.info.icv)
            assertEquals(genesisPih(), issued.info.pih)
            assertEquals(DocumentStatus.PENDING, issued.info.status)
            // Times are java.time.Instant.
            val now = java.time.Instant.now()
            assertTrue(java.time.Duration.between(issued.info.issuedAt, now).abs() < java.time.Duration.ofMinutes(5), "${issued.info.issuedAt}")
            assertNull(issued.info.finishedAt)
            assertTrue(issued.info.simplified)
            assertTrue(verify(issued.xml).valid)
            assertEquals(issued.info.invoiceHash, invoiceHash(issued.xml))
            assertNull(issued.clearedXml)

            // An outage on the first report: retried by a later pass, then reported.
            gateway.inject("""{"status":503}""")
            val first = engine.drain()
            assertEquals(1L to 1L, first.sent to first.retryScheduled, first.toString())
            assertEquals(DocumentStatus.RETRY_SCHEDULED, engine.document("till-1", 1L)!!.info.status)
            val second = drainUntilSent(engine)
            assertEquals(1L to 1L, second.sent to second.reported, second.toString())

            val standard = sampleInvoice(credentials.identity(), "standard", "invoice")
            val cleared = engine.clear("till-1", standard)
            assertEquals(ClearOutcome.CLEARED, cleared.outcome)
            assertEquals(2L, cleared.document.info.icv)
            assertEquals(issued.info.invoiceHash, cleared.document.info.pih)
            val clearedXml = assertNotNull(cleared.document.clearedXml, "the cleared document")
            assertEquals(cleared.document.info.invoiceHash, invoiceHash(clearedXml))

            // A refused credential stops the unit and raises an event until it is resumed.
            engine.issue("till-1", sampleInvoice(credentials.identity(), "simplified", "credit_note"))
            gateway.inject("""{"status":401}""")
            val refused = engine.drain()
            assertEquals(listOf("till-1"), refused.stoppedUnits, refused.toString())
            assertContains(engine.egsUnits().single().stopped.orEmpty(), "401")
            val events = engine.events(0, 100)
            val unauthorized = events.single { it.kind == EventKind.UNAUTHORIZED }
            assertTrue(!unauthorized.at.isBefore(issued.info.issuedAt), "${unauthorized.at}")
            // The lifecycle so far, as events: reported, then cleared.
            assertEquals(
                listOf(EventKind.DOCUMENT_REPORTED to 1L, EventKind.DOCUMENT_CLEARED to 2L),
                events.filter { it.kind == EventKind.DOCUMENT_REPORTED || it.kind == EventKind.DOCUMENT_CLEARED }.map { it.kind to it.icv },
            )
            assertEquals(events, engine.events(), "cursor 0 and limit 100 by default")
            assertEquals("till-1", unauthorized.egsId)
            JSONObject(unauthorized.dataJson) // valid JSON
            assertEquals(emptyList(), engine.events(events.last().seq, 100))
            engine.resumeEgs("till-1")
            assertNull(engine.egsUnits().single().stopped)
            assertEquals(1L, drainUntilSent(engine).reported)

            assertEquals(mapOf(DocumentStatus.REPORTED to 2L, DocumentStatus.CLEARED to 1L), engine.statusCounts())
            // What monitoring scrapes (the CLI's /metrics text).
            assertTrue(engine.metrics().lines().contains("qayd_documents{status=\"cleared\"} 1"), engine.metrics())
            val unit = engine.egsUnits().single()
            assertEquals(4L, unit.nextIcv)
            assertTrue(unit.hasCredentials)
            assertEquals(credentials.certificateExpiry(), unit.certificateExpiry)
            assertEquals(listOf(DocumentStatus.REPORTED, DocumentStatus.CLEARED, DocumentStatus.REPORTED), engine.documents("till-1").map { it.status })
            assertEquals(listOf(2L), engine.documentsByStatus(DocumentStatus.CLEARED, 10).map { it.icv })
            assertEquals(issued.xml, engine.documentByUuid(issued.info.uuid)!!.xml)

            val audit = engine.verifyAudit()
            assertTrue(audit.intact, audit.toString())
            assertEquals(10L, audit.rows, "503, report, clearance, 401, report: each sent, then answered")
            val lines = engine.exportAudit().lines().filter { it.isNotBlank() }
            assertEquals(10, lines.size)
            assertFalse(lines.any { it.contains(credentials.productionSecret()) }, "the audit log never holds the secret")

            // A simplified document cannot be cleared.
            assertThrows<QaydException.InvalidInput> { runBlocking { engine.clear("till-1", simplified) } }
        }
    }

    @Test
    fun `sealed credentials need the right master key`() {
        val store = File(dir, "sealed.db").path
        val key = generateMasterKey()
        engine(store, key).use { it.setCredentials("till-2", credentials) }
        val json = sampleInvoice(credentials.identity(), "simplified", "invoice")
        engine(store, generateMasterKey()).use { wrong ->
            assertEquals("SECRET", assertThrows<QaydException.Secret> { wrong.issue("till-2", json) }.code)
        }
        engine(store, key).use { right -> assertEquals(1L, right.issue("till-2", json).info.icv) }
        assumeTrue(System.getenv("QAYD_MASTER_KEY") == null, "QAYD_MASTER_KEY is set")
        engine(":memory:", masterKey = null).use { none ->
            assertThrows<QaydException.Secret> { none.setCredentials("till-3", credentials) }
        }
    }

    @Test
    fun `the worker health reports a wrong master key while the worker keeps running`(): Unit = runBlocking {
        val store = File(dir, "health.db").path
        engine(store).use { it.setCredentials("till-5", credentials) }
        val options = EngineOptions(store = store, environment = gateway.baseUrl, pollIntervalMs = 20L)
        Engine(options, generateMasterKey()).use { wrong ->
            assertEquals(0L, wrong.workerHealth().passes)
            wrong.start()
            val deadline = System.nanoTime() + 10_000_000_000L
            while (wrong.workerHealth().consecutiveFailures < 2L) {
                if (System.nanoTime() > deadline) fail("no failed passes: ${wrong.workerHealth()}")
                delay(20)
            }
            assertTrue(wrong.isRunning(), "a failed pass does not stop the worker")
            val error = wrong.workerHealth().lastError!!
            assertEquals("SECRET" to "till-5", error.code to error.egsId)
            assertFalse(error.message.contains(credentials.productionSecret()))
            wrong.stop()
        }
    }

    @Test
    fun `issued documents carry their validation warnings and the policy is an option`() {
        // Issued three days ago: reporting it now breaks BR-KSA-98 (a warning, not an error).
        val threeDaysAgo = java.time.LocalDate.now().minusDays(3).toString()
        val invoice = sampleInvoice(credentials.identity(), "simplified", "invoice")
            .replace(Regex("\"issue_date\":\"[0-9-]+\""), "\"issue_date\":\"$threeDaysAgo\"")
        engine(":memory:").use { engine ->
            engine.setCredentials("till-6", credentials)
            val issued = engine.issue("till-6", invoice)
            assertEquals(listOf("BR-KSA-98" to Severity.WARNING), issued.findings.map { it.rule to it.severity })
            assertEquals(emptyList<Finding>(), engine.document("till-6", issued.info.icv)!!.findings)
        }
        val strict = EngineOptions(store = ":memory:", environment = gateway.baseUrl, validation = "refuse_on_warnings")
        Engine(strict, generateMasterKey()).use { engine ->
            engine.setCredentials("till-6", credentials)
            assertThrows<QaydException.InvalidModel> { engine.issue("till-6", invoice) }
            assertEquals(emptyList<DocumentInfo>(), engine.documents("till-6"))
        }
        assertThrows<QaydException.InvalidInput> {
            Engine(EngineOptions(store = ":memory:", validation = "sometimes"), generateMasterKey())
        }
        // A document larger than the submission limit is refused before it takes an ICV.
        Engine(EngineOptions(store = ":memory:", maxSubmissionBytes = 4_000L), generateMasterKey()).use { engine ->
            engine.setCredentials("till-7", credentials)
            val error = assertThrows<QaydException.InvalidInput> { engine.issue("till-7", invoice) }
            assertContains(error.message ?: "", "too large to submit")
            assertEquals(emptyList<DocumentInfo>(), engine.documents("till-7"))
        }
        assertThrows<QaydException.InvalidInput> {
            Engine(EngineOptions(store = ":memory:", maxSubmissionBytes = -1L), generateMasterKey())
        }
    }

    @Test
    fun `the background worker reports and stops gracefully`(): Unit = runBlocking {
        val credentials = onboardUnit()
        engine(File(dir, "worker.db").path).use { engine ->
            engine.setCredentials("till-4", credentials)
            engine.start()
            engine.start()
            assertTrue(engine.isRunning())
            val issued = engine.issue("till-4", sampleInvoice(credentials.identity(), "simplified", "debit_note"))
            val deadline = System.nanoTime() + 10_000_000_000L
            while (engine.document("till-4", issued.info.icv)!!.info.status != DocumentStatus.REPORTED) {
                if (System.nanoTime() > deadline) fail("not reported: ${engine.document("till-4", issued.info.icv)!!.info}")
                delay(20)
            }
            engine.stop()
            assertFalse(engine.isRunning())
            engine.stop()
        }
    }

    @Test
    fun `close waits until the worker's request in flight is answered and recorded`(): Unit = runBlocking {
        val credentials = onboardUnit()
        val store = File(dir, "close.db").path
        val options = EngineOptions(store = store, environment = gateway.baseUrl, pollIntervalMs = 20L)
        val icv = Engine(options, generateMasterKey()).use { engine ->
            engine.setCredentials("till-7", credentials)
            gateway.inject("""{"delay_ms":1500}""") // the report takes 1.5 s to be answered
            engine.start()
            val issued = engine.issue("till-7", sampleInvoice(credentials.identity(), "simplified", "invoice"))
            val deadline = System.nanoTime() + 10_000_000_000L
            while (engine.document("till-7", issued.info.icv)!!.info.status != DocumentStatus.SUBMITTING) {
                if (System.nanoTime() > deadline) fail("never sent: ${engine.document("till-7", issued.info.icv)!!.info}")
                delay(5)
            }
            issued.info.icv
        } // close(), while the request is in flight
        Engine(EngineOptions(store = store)).use { again ->
            assertEquals(DocumentStatus.REPORTED, again.document("till-7", icv)!!.info.status, "answered before close() returned")
        }
    }

    @Test
    fun `the API client classifies answers`(): Unit = runBlocking {
        val credentials = onboardUnit()
        val (simplified, standard) = Engine(EngineOptions(store = ":memory:"), generateMasterKey()).use { issuer ->
            issuer.setCredentials("till-5", credentials)
            issuer.issue("till-5", sampleInvoice(credentials.identity(), "simplified", "invoice")).xml to
                issuer.issue("till-5", sampleInvoice(credentials.identity(), "standard", "invoice")).xml
        }
        val (token, secret) = credentials.productionToken() to credentials.productionSecret()
        ApiClient(gateway.baseUrl, ClientOptions(timeoutMs = 5_000L)).use { client ->
            gateway.inject("""{"status":429,"retry_after":7}""")
            val limited = client.reporting(token, secret, simplified)
            assertEquals(ApiOutcome.RETRYABLE, limited.outcome)
            assertEquals(429, limited.httpStatus)
            assertEquals(7_000L, limited.retryAfterMs)

            val reported = client.reporting(token, secret, simplified)
            assertEquals(ApiOutcome.ACCEPTED, reported.outcome, reported.toString())
            assertEquals(200, reported.httpStatus)
            assertNotNull(reported.response)
            assertEquals(ApiOutcome.DUPLICATE, client.reporting(token, secret, simplified).outcome)

            val refused = client.reporting(token, "wrong secret", simplified)
            assertEquals(ApiOutcome.UNAUTHORIZED to 401, refused.outcome to refused.httpStatus)

            val cleared = client.clearance(token, secret, standard)
            assertEquals(ApiOutcome.ACCEPTED, cleared.outcome, cleared.toString())
            assertEquals(invoiceHash(standard), invoiceHash(assertNotNull(cleared.clearedXml)))

            val wrongOtp = assertThrows<QaydException.ApiRejected> { runBlocking { client.complianceCsid("bm90IGEgQ1NS", "000000") } }
            assertEquals(400, wrongOtp.status)
            assertContains(wrongOtp.reason, "Invalid-OTP")
            // One catch of the API family takes it as well, its status readable on the family.
            val asFamily = try {
                client.complianceCsid("bm90IGEgQ1NS", "000000")
                null
            } catch (e: QaydException.Api) {
                e
            }
            assertIs<QaydException.ApiRejected>(asFamily)
            assertEquals(400 to ErrorKind.API, asFamily.status to asFamily.kind)

            // A CSR built here is accepted with the right OTP; the answer's secret stays out of toString().
            val csr = buildCsr(credentials.identity(), generatePrivateKeyPem().toByteArray(), gateway.baseUrl)
            val issued = client.complianceCsid(csr.base64, "123456")
            assertEquals(ApiOutcome.ACCEPTED, issued.outcome, issued.toString())
            val response = JSONObject(assertNotNull(issued.response).json())
            assertTrue(response.getString("binarySecurityToken").isNotEmpty())
            val csidSecret = response.getString("secret")
            assertFalse(issued.toString().contains(csidSecret), issued.toString())
        }
    }

    @Test
    fun `the engine renews a stored unit with only an OTP and the chain continues`(): Unit = runBlocking {
        val credentials = onboardUnit()
        engine(File(dir, "renew.db").path).use { engine ->
            engine.setCredentials("till-1", credentials)
            val simplified = sampleInvoice(credentials.identity(), "simplified", "invoice")
            assertThrows<QaydException.ApiRejected> { runBlocking { engine.renewEgs("till-1", "000000") } }
            assertEquals(credentials.certificateExpiry(), engine.egsUnits().single().certificateExpiry, "untouched")
            val first = engine.issue("till-1", simplified)

            val outcome = engine.renewEgs("till-1", "123456")
            assertEquals("till-1", outcome.egsId)
            assertEquals(1L, outcome.sentBeforeRenewal, "the queued document went out under the old CSID")
            assertEquals(credentials.certificateExpiry(), outcome.previousNotAfter)
            assertEquals(outcome.notAfter, engine.egsUnits().single().certificateExpiry)
            val renewed = engine.events(0, 100).single { it.kind == EventKind.CERTIFICATE_RENEWED }
            assertEquals(outcome.certificateSerial, JSONObject(renewed.dataJson).getString("certificate_serial"))

            val next = engine.issue("till-1", sampleInvoice(credentials.identity(), "simplified", "invoice"))
            assertEquals(2L to first.info.invoiceHash, next.info.icv to next.info.pih)
            assertContains(next.xml.decodeToString(), "<ds:X509SerialNumber>${outcome.certificateSerial}<")
            assertEquals(1L, engine.drain().reported)
            assertEquals(mapOf(DocumentStatus.REPORTED to 2L), engine.statusCounts())
        }
    }

    @Test
    fun `renewal issues a new production CSID`(): Unit = runBlocking {
        val renewed = renew(credentials, "123456")
        renewed.use {
            assertEquals(credentials.environment(), it.environment())
            assertEquals(credentials.identity(), it.identity())
            assertTrue(it.productionToken() != credentials.productionToken())
        }
    }

    @Test
    fun `a progress listener that throws fails the call without a crash`() {
        val e = assertThrows<QaydException> {
            runBlocking { onboard(identity, "123456", gateway.baseUrl, progress = onboardingProgress { _ -> error("boom") }) }
        }
        assertEquals("INVALID_INPUT", e.code)
    }
}
