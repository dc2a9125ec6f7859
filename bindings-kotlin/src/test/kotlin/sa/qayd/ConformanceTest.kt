package sa.qayd

import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

/**
 * Runs every language-neutral conformance case (the JSON files in tests/conformance/cases) through the
 * Kotlin API and compares the results exactly, as core/tests/conformance.rs does. A case whose
 * operation this binding does not support fails. The `engine` case starts the local gateway
 * (`qayd gateway --port 0`), onboards a unit there and runs its steps on an in-memory store.
 */
class ConformanceTest {
    private val root = File(testsDir, "conformance")

    @TestFactory
    fun cases(): List<DynamicTest> {
        val files = File(root, "cases").listFiles { f -> f.extension == "json" }?.sortedBy { it.name }.orEmpty()
        assertTrue(files.isNotEmpty(), "no conformance cases in ${File(root, "cases")}")
        return files.map { file -> DynamicTest.dynamicTest(file.nameWithoutExtension) { run(JSONObject(file.readText())) } }
    }

    private fun path(relative: String) = File(root, relative)

    private fun run(case: JSONObject) {
        val expected = case.getJSONObject("expected")
        val operation = case.getString("operation")
        val outcome = try {
            when (operation) {
                "hash" -> hash(case, expected)
                "stamp" -> stamp(case, expected)
                "stamp_invoice" -> stampInvoice(case, expected)
                "engine" -> engine(case, expected)
                "verify" -> verify(case, expected)
                "validate" -> validate(case, expected)
                "qr_decode" -> qrDecode(case, expected)
                "generate" -> generate(case, expected)
                "csr" -> csr(case, expected)
                else -> fail("operation '$operation' is not supported by the Kotlin binding")
            }
            null
        } catch (e: QaydException) {
            e
        }
        val wantError = expected.optString("error", "")
        val gotError = outcome?.code ?: ""
        assertEquals(wantError, gotError, "error code (${outcome?.message})")
    }

    private fun knownKeys(expected: JSONObject, vararg keys: String) {
        for (key in expected.keySet()) {
            assertTrue(key == "error" || key in keys, "unsupported expectation '$key'")
        }
    }

    private fun hash(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "invoice_hash")
        val hash = invoiceHash(path(case.getString("input")).readBytes())
        assertEquals(expected.getString("invoice_hash"), hash)
    }

    private fun stamp(case: JSONObject, expected: JSONObject) =
        stamped(case, expected) { signer, signingTime -> signer.stamp(path(case.getString("input")).readBytes(), signingTime) }

    /** The fast path: the invoice model (JSON) stamped without the XML being read back. */
    private fun stampInvoice(case: JSONObject, expected: JSONObject) =
        stamped(case, expected) { signer, signingTime -> signer.stampInvoice(path(case.getString("input")).readText(), signingTime) }

    private fun stamped(case: JSONObject, expected: JSONObject, stampWith: (Signer, String?) -> StampedInvoice) {
        knownKeys(expected, "invoice_hash", "uuid", "signature", "qr", "xml", "signing_time")
        val signer = Signer(path(case.getString("certificate")).readBytes(), path(case.getString("private_key")).readBytes())
        signer.use {
            val signingTime = if (case.has("signing_time")) case.getString("signing_time") else null
            val stamped = stampWith(it, signingTime)
            if (expected.has("invoice_hash")) assertEquals(expected.getString("invoice_hash"), stamped.invoiceHash, "invoice_hash")
            if (expected.has("uuid")) assertEquals(expected.getString("uuid"), stamped.uuid, "uuid")
            if (expected.has("signature")) assertEquals(expected.getString("signature"), stamped.signature, "signature")
            if (expected.has("qr")) assertEquals(expected.getString("qr"), stamped.qr, "qr")
            if (expected.has("signing_time")) assertEquals(expected.getString("signing_time"), stamped.signingTime, "signing_time")
            if (expected.has("xml")) {
                val want = path(expected.getString("xml")).readBytes()
                if (!stamped.xml.contentEquals(want)) {
                    val at = want.indices.firstOrNull { i -> i >= stamped.xml.size || want[i] != stamped.xml[i] } ?: want.size
                    fail("stamped xml differs from ${expected.getString("xml")} at byte $at (got ${stamped.xml.size} bytes, want ${want.size})")
                }
            }
        }
    }

    private fun verify(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "valid", "failed_checks")
        val report = sa.qayd.verify(path(case.getString("input")).readBytes())
        if (expected.has("valid")) assertEquals(expected.getBoolean("valid"), report.valid, "valid")
        if (expected.has("failed_checks")) {
            val want = expected.getJSONArray("failed_checks").toList().map { it as String }.sorted()
            assertEquals(want, report.checks.filter { !it.passed }.map { it.name }.sorted(), "failed checks")
        }
    }

    private fun validate(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "valid", "errors", "warnings")
        val report = sa.qayd.validate(path(case.getString("input")).readBytes())
        assertEquals(expected.getBoolean("valid"), report.valid, "valid")
        for ((key, severity) in listOf("errors" to Severity.ERROR, "warnings" to Severity.WARNING)) {
            val want = expected.getJSONArray(key).toList().map { it as String }.sorted()
            val got = report.findings.filter { it.severity == severity }.map { it.rule }.distinct().sorted()
            assertEquals(want, got, key)
        }
    }

    private fun generate(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "xml")
        val xml = generate(path(case.getString("input")).readText())
        val want = path(expected.getString("xml")).readBytes()
        if (!want.contentEquals(xml)) {
            val at = want.indices.firstOrNull { i -> i >= xml.size || want[i] != xml[i] } ?: want.size
            fail("generated xml differs from ${expected.getString("xml")} at byte $at (got ${xml.size} bytes, want ${want.size})")
        }
    }

    private fun csr(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "pem", "base64")
        val identity = identityFromText(path(case.getString("identity")).readText())
        val csr = buildCsr(identity, path(case.getString("private_key")).readBytes(), case.getString("environment"))
        if (expected.has("pem")) assertEquals(expected.getString("pem"), csr.pem, "pem")
        if (expected.has("base64")) assertEquals(expected.getString("base64"), csr.base64, "base64")
    }

    private fun qrDecode(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "fields")
        val fields = sa.qayd.qrDecode(case.getString("qr"))
        val want: JSONArray = expected.getJSONArray("fields")
        assertEquals(want.length(), fields.size, "number of fields")
        for ((i, field) in fields.withIndex()) {
            val w = want.getJSONObject(i)
            assertEquals(w.getInt("tag"), field.tag, "field $i tag")
            assertEquals(w.getString("name"), field.name, "field $i name")
            assertEquals(w.getString("value"), field.value, "field $i value")
        }
    }

    /**
     * The `engine` case: a unit onboarded at the local gateway, the case's steps, then what the
     * store holds (documents per unit, lifecycle events, status counts), in the same shape as the
     * Rust runner's `engine_case`; only values that do not depend on the clock are compared.
     */
    private fun engine(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "steps", "documents", "events", "status_counts")
        val identity = identityFromText(path(case.getString("identity")).readText())
        val got = LocalGateway().use { gateway ->
            val credentials = runBlocking { onboard(identity, case.getString("otp"), gateway.baseUrl) }
            val options = EngineOptions(store = ":memory:", environment = gateway.baseUrl)
            credentials.use { Engine(options, generateMasterKey()).use { engine -> engineSteps(case, engine, identity, credentials) } }
        }
        assertEquals(canonical(expected), canonical(got))
    }

    private fun engineSteps(case: JSONObject, engine: Engine, identity: Identity, credentials: Credentials): JSONObject {
        fun model(entry: JSONObject): String = when {
            entry.has("sample") -> entry.getJSONArray("sample").let { sampleInvoice(identity, it.getString(0), it.getString(1)) }
            entry.has("model") -> path(entry.getString("model")).readText()
            else -> fail("an entry needs `sample` or `model`: $entry")
        }
        fun error(e: QaydException) = JSONObject().put("error", e.code)
        fun document(d: Document) = JSONObject().put("icv", d.info.icv).put("status", d.info.status.name.lowercase())
        fun attempt(call: () -> Any): Any = try { call() } catch (e: QaydException) { error(e) }

        val units = mutableListOf<String>()
        val steps = JSONArray()
        for (step in case.getJSONArray("steps").map { it as JSONObject }) {
            val egs = step.optString("egs", "")
            if (egs.isNotEmpty() && egs !in units) units.add(egs)
            // The first unit is the onboarded one; any other has no credentials.
            if (units.size == 1 && egs == units[0] && engine.egsUnits().isEmpty()) engine.setCredentials(egs, credentials)
            steps.put(when (val action = step.getString("do")) {
                "issue" -> attempt { document(engine.issue(egs, model(step))) }
                "issue_many" -> attempt {
                    val models = step.getJSONArray("entries").map { model(it as JSONObject) }
                    JSONArray(engine.issueMany(egs, models).map { entry ->
                        when (entry) {
                            is IssueResult.Issued -> document(entry.document)
                            is IssueResult.Refused -> error(entry.error)
                        }
                    })
                }
                "drain" -> attempt {
                    val r = runBlocking { engine.drain() }
                    JSONObject().put("sent", r.sent).put("reported", r.reported)
                        .put("cleared", r.cleared).put("accepted_with_warnings", r.acceptedWithWarnings)
                        .put("rejected", r.rejected).put("dead", r.dead)
                }
                "clear" -> attempt {
                    val r = runBlocking { engine.clear(egs, model(step)) }
                    JSONObject().put("outcome", r.outcome.name.lowercase()).put("icv", r.document.info.icv)
                        .put("has_cleared_xml", r.document.clearedXml != null)
                }
                else -> fail("unknown engine step $action")
            })
        }
        val documents = JSONObject()
        for (egs in units) {
            var previous = genesisPih()
            val listed = JSONArray()
            for (info in engine.documents(egs)) {
                val qr = engine.documentQr(egs, info.icv) ?: fail("no QR for $egs ${info.icv}")
                val fields = qrDecode(qr)
                listed.put(JSONObject()
                    .put("icv", info.icv)
                    .put("status", info.status.name.lowercase())
                    .put("chained", info.pih == previous)
                    .put("qr_tags", JSONArray(fields.map { it.tag }))
                    .put("qr_hash_matches", fields.firstOrNull { it.tag == 6 }?.value == info.invoiceHash))
                previous = info.invoiceHash
            }
            documents.put(egs, listed)
        }
        val lifecycle = { kind: String -> kind.startsWith("document_") || kind == "dead_letter" }
        val events = JSONArray(engine.events(0, 1000).map { it.kind.name.lowercase() to it }.filter { lifecycle(it.first) }.map { (kind, e) ->
            JSONArray().put(kind).put(e.egsId).put(e.icv ?: JSONObject.NULL)
        })
        val counts = JSONObject()
        for ((status, n) in engine.statusCounts()) counts.put(status.name.lowercase(), n.toLong())
        return JSONObject().put("steps", steps).put("documents", documents).put("events", events).put("status_counts", counts)
    }

    /** JSON with sorted keys and integral numbers written alike, so that equal values compare equal. */
    private fun canonical(value: Any?): String = when (value) {
        null, JSONObject.NULL -> "null"
        is JSONObject -> value.keySet().sorted().joinToString(",", "{", "}") { "${JSONObject.quote(it)}:${canonical(value.get(it))}" }
        is JSONArray -> (0 until value.length()).joinToString(",", "[", "]") { canonical(value.get(it)) }
        is String -> JSONObject.quote(value)
        is Int, is Long, is Short, is Byte -> value.toString()
        is java.math.BigInteger -> value.toString()
        is Number -> java.math.BigDecimal(value.toString()).stripTrailingZeros().toPlainString()
        is Boolean -> value.toString()
        else -> fail("unexpected JSON value $value (${value::class})")
    }
}
