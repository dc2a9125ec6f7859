// Smoke program of the Kotlin/JVM artifact (sa.qayd:qayd), run from a fresh Maven project:
//   1. stamp + verify the shared 5-line invoice (tests/bench/simplified-5-lines.xml) with the
//      SDK's test certificate and key (tests/vectors/sdk-R3.4.8/Data/Certificates);
//   2. the durable engine: onboard an EGS unit on the local gateway (`qayd gateway --port 0` on
//      127.0.0.1), issue a standard invoice and have it cleared, then report a simplified one.
// Arguments: a directory holding simplified-5-lines.xml, cert.pem and ec-secp256k1-priv-key.pem
// (test.sh copies them from tests/), and the `qayd` binary. Prints "N passed, N failed"
// and exits non-zero on any failure.

import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking
import sa.qayd.ClearOutcome
import sa.qayd.ClientOptions
import sa.qayd.DocumentStatus
import sa.qayd.Engine
import sa.qayd.EngineOptions
import sa.qayd.Signer
import sa.qayd.generateMasterKey
import sa.qayd.identityFromText
import sa.qayd.invoiceHash
import sa.qayd.onboard
import sa.qayd.qrDecode
import sa.qayd.sampleInvoice
import sa.qayd.verify
import sa.qayd.version

private var passed = 0
private var failed = 0

private fun check(name: String, ok: Boolean, detail: () -> String = { "" }) {
    if (ok) {
        passed++
        println("ok    $name")
    } else {
        failed++
        println("FAIL  $name ${detail()}")
    }
}

/**
 * The file JNA loaded the native library from: unpacked from the jar's linux-x86-64/ resource into
 * a temporary file (jna…; JNA deletes it once loaded) and mapped into this process.
 */
private fun loadedLibrary(): File? {
    val file = com.sun.jna.NativeLibrary.getInstance("qayd_uniffi").file ?: return null
    val mapped = File("/proc/self/maps").readLines().any { it.contains(" " + file.path) }
    return file.takeIf { mapped }
}

fun main(args: Array<String>) {
    require(args.size == 2) { "usage: Smoke DATA_DIR QAYD_BINARY" }
    val data = File(args[0])
    val qayd = File(args[1])
    try {
        stampAndVerify(data)
        engineThroughGateway(qayd)
    } catch (e: Throwable) {
        failed++
        println("FAIL  unexpected ${e::class.qualifiedName}: ${e.message}")
        e.printStackTrace()
    }
    println("kotlin-package: $passed passed, $failed failed")
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}

private fun stampAndVerify(data: File) {
    val xml = File(data, "simplified-5-lines.xml").readBytes()
    check("engine version ${version()}", version().isNotEmpty())
    val library = loadedLibrary()
    check("native library unpacked from the jar ($library)", library != null && library.name.startsWith("jna") &&
        System.getProperty("jna.library.path") == null && !library.path.contains("/target/")) {
        "jna.library.path=${System.getProperty("jna.library.path")}, JNA: ${com.sun.jna.NativeLibrary.getInstance("qayd_uniffi").file}, " +
            "mapped: ${File("/proc/self/maps").readLines().filter { it.contains("jna") || it.contains("qayd") }.map { it.substringAfterLast("  ") }.toSet()}"
    }
    Signer(File(data, "cert.pem").readBytes(), File(data, "ec-secp256k1-priv-key.pem").readBytes()).use { signer ->
        val stamped = signer.stamp(xml, null)
        check("stamp: invoice hash of the stamped document", stamped.invoiceHash == invoiceHash(stamped.xml))
        val report = verify(stamped.xml)
        check("verify: valid", report.valid) { report.checks.filter { !it.passed }.toString() }
        check("verify: every check passed (${report.checks.size})", report.checks.isNotEmpty() && report.checks.all { it.passed })
        val fields = qrDecode(stamped.qr)
        check("QR: tags 1..9, hash and signature", fields.map { it.tag } == (1..9).toList() &&
            fields[5].value == stamped.invoiceHash && fields[6].value == stamped.signature)
        // One changed quantity breaks the hash and the signature.
        val text = stamped.xml.decodeToString()
        val quantity = Regex("(<cbc:InvoicedQuantity[^>]*>)([0-9.]+)<").find(text)!!
        val tampered = text.replaceRange(quantity.groups[2]!!.range, (quantity.groupValues[2].toBigDecimal() + java.math.BigDecimal.ONE).toPlainString())
        check("verify: a tampered quantity fails", !verify(tampered.toByteArray()).valid)
    }
}

private fun engineThroughGateway(qayd: File) {
    check("gateway binary $qayd", qayd.canExecute())
    val gateway = ProcessBuilder(qayd.path, "gateway", "--port", "0").redirectError(ProcessBuilder.Redirect.DISCARD).start()
    val dir = Files.createTempDirectory("qayd-kotlin-smoke").toFile()
    try {
        val url = gateway.inputStream.bufferedReader().readLine()?.trim()
        check("gateway on 127.0.0.1 ($url)", url != null && url.startsWith("http://127.0.0.1:"))
        if (url == null) return
        val identity = identityFromText(
            """{"common_name":"till-1","serial_number":"1-Qayd|2-KotlinPackage|3-0001","organization_identifier":"399999999900003",
               "organization_unit_name":"Riyadh Branch","organization_name":"Maximum Speed Tech Supply LTD","country_name":"SA",
               "invoice_type":"1100","location_address":"RRRD2929","industry_business_category":"Supply activities"}""",
        )
        runBlocking {
            onboard(identity, "123456", url, ClientOptions(timeoutMs = 20_000L)).use { credentials ->
                check("onboarded: $credentials", credentials.productionToken().isNotEmpty())
                val options = EngineOptions(store = File(dir, "qayd.db").path, environment = url)
                Engine(options, masterKey = generateMasterKey()).use { engine ->
                    engine.setCredentials("till-1", credentials)
                    val cleared = engine.clear("till-1", sampleInvoice(identity, "standard", "invoice"))
                    check("engine: standard invoice cleared (${cleared.outcome}, ICV ${cleared.document.info.icv})",
                        cleared.outcome == ClearOutcome.CLEARED && cleared.document.info.icv == 1L)
                    val clearedXml = cleared.document.clearedXml
                    check("engine: cleared XML returned (${clearedXml?.size} bytes)",
                        clearedXml != null && invoiceHash(clearedXml) == cleared.document.info.invoiceHash)

                    val issued = engine.issue("till-1", sampleInvoice(identity, "simplified", "invoice"))
                    check("engine: simplified invoice issued (ICV ${issued.info.icv})", issued.info.icv == 2L && verify(issued.xml).valid)
                    val report = engine.drain()
                    check("engine: simplified invoice reported ($report)", report.sent == 1L && report.reported == 1L)
                    check("engine: statuses ${engine.statusCounts()}", engine.document("till-1", 2L)?.info?.status == DocumentStatus.REPORTED)
                    check("engine: audit log intact", engine.verifyAudit().intact)
                }
            }
        }
    } finally {
        gateway.destroy()
        if (!gateway.waitFor(5, TimeUnit.SECONDS)) gateway.destroyForcibly()
        dir.deleteRecursively()
    }
}
