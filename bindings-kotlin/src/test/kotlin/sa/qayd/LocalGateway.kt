package sa.qayd

import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The qayd CLI (set by surefire; defaults to ../target/debug/qayd). */
internal val qaydCli: File = File(System.getProperty("qayd.cli") ?: "../target/debug/qayd")

/**
 * The local Fatoora gateway as a child process (`qayd gateway --port 0`) on 127.0.0.1: its base
 * URL is the first line it prints. Faults are queued through its admin endpoint.
 */
class LocalGateway : AutoCloseable {
    private val process: Process
    val baseUrl: String
    private val http = HttpClient.newHttpClient()

    init {
        assertTrue(qaydCli.canExecute(), "$qaydCli is missing: cargo build -p qayd-cli")
        process = ProcessBuilder(qaydCli.path, "gateway", "--port", "0")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val stdout = process.inputStream.bufferedReader()
        val first = stdout.readLine() ?: error("the gateway exited before printing its URL")
        baseUrl = first.trim()
        assertTrue(baseUrl.startsWith("http://127.0.0.1:"), "gateway printed '$first'")
        // Keep reading so that the gateway never blocks on a full pipe.
        thread(isDaemon = true, name = "gateway-stdout") { stdout.useLines { lines -> lines.forEach { } } }
    }

    /** Queues faults: a JSON object like `{"status":503}` or a list of them. */
    fun inject(faultJson: String) {
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/__qayd/faults"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(faultJson))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        assertEquals(200, response.statusCode() / 100 * 100, "fault not queued: ${response.body()}")
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
