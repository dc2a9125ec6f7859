// The durable engine from Kotlin against the local Fatoora gateway: onboard an EGS unit, open an
// engine on an SQLite file, report a simplified invoice through an injected outage, clear a
// standard one, and print what the store holds.
//
//   cargo build -p qayd-cli                      # the `qayd` binary (its `gateway` command)
//   mvn -f bindings-kotlin/pom.xml install        # the sa.qayd:qayd jar, native library inside
//   mvn -f examples/kotlin/pom.xml -q compile exec:java@engine
//   mvn -f examples/kotlin/pom.xml -q compile exec:java@engine -Dexec.args="http://127.0.0.1:8443"
//
// The argument is the base URL of a running gateway, or the path of the `qayd` binary to start
// one with (`qayd gateway --port 0`). Nothing leaves 127.0.0.1.

import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import sa.qayd.ClientOptions
import sa.qayd.Engine
import sa.qayd.EngineOptions
import sa.qayd.IssueResult
import sa.qayd.QaydException
import sa.qayd.generateMasterKey
import sa.qayd.identityFromText
import sa.qayd.onboard
import sa.qayd.onboardingProgress
import sa.qayd.sampleInvoice

fun main(args: Array<String>) = runBlocking {
    val target = args.getOrElse(0) { "target/debug/qayd" }
    val gateway = if (target.startsWith("http")) null else ProcessBuilder(target, "gateway", "--port", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start()
    val url = gateway?.inputStream?.bufferedReader()?.readLine()?.trim() ?: target
    val dir = Files.createTempDirectory("qayd-engine-example").toFile()
    try {
        val identity = identityFromText(
            """{"common_name":"till-1","serial_number":"1-Qayd|2-Kotlin|3-0001","organization_identifier":"399999999900003",
               "organization_unit_name":"Riyadh Branch","organization_name":"Maximum Speed Tech Supply LTD","country_name":"SA",
               "invoice_type":"1100","location_address":"RRRD2929","industry_business_category":"Supply activities"}""",
        )
        println("gateway:      $url")
        val credentials = onboard(identity, "123456", url, ClientOptions(timeoutMs = 10_000L),
            onboardingProgress { p -> println("  onboarding ${p.index}/${p.total}: ${p.step}") })
        println("credentials:  $credentials") // no key, no secret
        val options = EngineOptions(store = File(dir, "qayd.db").path, environment = url, retryBaseMs = 200L, retryCapMs = 1_000L)
        Engine(options, masterKey = generateMasterKey()).use { engine ->
            engine.setCredentials("till-1", credentials)
            val simplified = engine.issue("till-1", sampleInvoice(identity, "simplified", "invoice"))
            println("issued:       ICV ${simplified.info.icv} ${simplified.info.uuid} (${simplified.info.status})")

            post("$url/__qayd/faults", """{"status":503}""") // Fatoora is down for one request
            println("drain:        ${engine.drain()}")
            var report = engine.drain()
            while (report.sent == 0L) { delay(100); report = engine.drain() }
            println("drain again:  ${report.reported} reported")

            val cleared = engine.clear("till-1", sampleInvoice(identity, "standard", "invoice"))
            println("clear:        ${cleared.outcome}, ICV ${cleared.document.info.icv}, cleared XML ${cleared.document.clearedXml?.size} bytes")
            // The QR to print comes from ZATCA's cleared XML once the document is cleared.
            println("QR to print:  ${engine.documentQr("till-1", cleared.document.info.icv)?.take(40)}…")

            // A batch in one transaction: a refused entry carries its own error, the others are issued.
            val batch = engine.issueMany("till-1", listOf(sampleInvoice(identity, "simplified", "credit_note"), "{}"))
            for (entry in batch) when (entry) {
                is IssueResult.Issued -> println("batch:        issued ICV ${entry.document.info.icv}")
                is IssueResult.Refused -> println("batch:        refused: ${entry.error.code}")
            }

            println("statuses:     ${engine.statusCounts()}")
            for (d in engine.documents("till-1")) println("  ${d.icv}  ${d.status.name.lowercase().padEnd(10)} ${d.invoiceHash}")
            val audit = engine.verifyAudit()
            println("audit:        ${audit.rows} rows, intact=${audit.intact}")
        }
    } catch (e: QaydException.Api) {
        // The family of errors from talking to Fatoora: Network, Http, Unauthorized, ApiRejected, …
        System.err.println("Fatoora: ${e.code} (HTTP ${e.status ?: "-"}): ${e.reason}")
        kotlin.system.exitProcess(1)
    } catch (e: QaydException) {
        System.err.println("failed: ${e.message}") // "CODE: reason"
        kotlin.system.exitProcess(1)
    } finally {
        gateway?.destroy()
        dir.deleteRecursively()
    }
}

private fun post(url: String, json: String) {
    val request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build()
    HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding())
}
