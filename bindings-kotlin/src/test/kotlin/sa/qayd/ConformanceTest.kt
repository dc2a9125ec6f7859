package sa.qayd

import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

/**
 * Runs every language-neutral conformance case (the JSON files in tests/conformance/cases) through the
 * Kotlin API and compares the results exactly. A case whose operation this binding does not
 * support fails.
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

    private fun stamp(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "invoice_hash", "uuid", "signature", "qr", "xml", "signing_time")
        val signer = Signer(path(case.getString("certificate")).readBytes(), path(case.getString("private_key")).readBytes())
        signer.use {
            val signingTime = if (case.has("signing_time")) case.getString("signing_time") else null
            val stamped = it.stamp(path(case.getString("input")).readBytes(), signingTime)
            if (expected.has("invoice_hash")) assertEquals(expected.getString("invoice_hash"), stamped.invoiceHash, "invoice_hash")
            if (expected.has("uuid")) assertEquals(expected.getString("uuid"), stamped.uuid, "uuid")
            if (expected.has("signature")) assertEquals(expected.getString("signature"), stamped.signature, "signature")
            if (expected.has("qr")) assertEquals(expected.getString("qr"), stamped.qr, "qr")
            if (expected.has("signing_time")) assertEquals(expected.getString("signing_time"), stamped.signingTime, "signing_time")
            if (expected.has("xml")) {
                val want = path(expected.getString("xml")).readBytes()
                if (!want.contentEquals(stamped.xml)) {
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
        for ((key, severity) in listOf("errors" to "error", "warnings" to "warning")) {
            val want = expected.getJSONArray(key).toList().map { it as String }.sorted()
            val got = report.findings.filter { it.severity == severity }.map { it.rule }.distinct().sorted()
            assertEquals(want, got, key)
        }
    }

    private fun generate(case: JSONObject, expected: JSONObject) {
        knownKeys(expected, "xml")
        val xml = generateXml(path(case.getString("input")).readText())
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
}
