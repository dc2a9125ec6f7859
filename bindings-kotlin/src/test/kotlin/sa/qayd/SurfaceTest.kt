package sa.qayd

import java.io.File
import java.lang.reflect.Modifier
import java.util.jar.JarFile
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Test

/**
 * The one surface, named alike: every non-null name of the `kotlin` column of
 * tests/conformance/surface.json (rendered from core/src/embed/surface.rs) exists in this binding,
 * and the typed enums have exactly the core's values. Fails naming every missing name.
 */
class SurfaceTest {
    private val surface = JSONObject(File(testsDir, "conformance/surface.json").readText())
    private val pkg = "sa.qayd"

    /** Every class of the package, read from where the bindings were compiled to (a directory or a jar). */
    private val classes: List<Class<*>> by lazy {
        val location = File(QaydException::class.java.protectionDomain.codeSource.location.toURI())
        val prefix = pkg.replace('.', '/') + "/"
        val names = if (location.isDirectory) {
            File(location, prefix).walkTopDown().filter { it.isFile && it.extension == "class" }
                .map { prefix + it.relativeTo(File(location, prefix)).invariantSeparatorsPath }.toList()
        } else {
            JarFile(location).use { jar -> jar.entries().asSequence().map { it.name }.filter { it.startsWith(prefix) && it.endsWith(".class") }.toList() }
        }
        names.map { Class.forName(it.removeSuffix(".class").replace('/', '.'), false, javaClass.classLoader) }
    }

    /** Files' top-level functions live in their `…Kt` facade classes, as static methods. */
    private val facades: List<Class<*>> by lazy { classes.filter { it.simpleName.endsWith("Kt") } }

    private fun classNamed(name: String): Class<*>? = classes.firstOrNull { it.name == "$pkg.$name" }

    /** A Kotlin function's JVM name is its own, or mangled (`name-xyz`) when it takes an unsigned type. */
    private fun Class<*>.hasFunction(name: String, static: Boolean) = methods.any {
        (it.name == name || it.name.startsWith("$name-")) && Modifier.isStatic(it.modifiers) == static
    }

    private fun exists(name: String): Boolean {
        if ('.' in name) {
            val (owner, member) = name.split('.', limit = 2)
            val type = classNamed(owner) ?: return false
            val companion = classNamed("$owner\$Companion")
            val extension = facades.any { f ->
                f.methods.any { m -> (m.name == member || m.name.startsWith("$member-")) && m.parameterTypes.firstOrNull() == type }
            }
            return type.hasFunction(member, static = false) || companion?.hasFunction(member, static = false) == true || extension
        }
        return if (name.first().isUpperCase()) classNamed(name) != null else facades.any { it.hasFunction(name, static = true) }
    }

    private fun names(section: String): List<String> {
        val rows = surface.getJSONArray(section)
        return (0 until rows.length()).map { rows.getJSONObject(it) }.filter { !it.isNull("kotlin") }.map { it.getString("kotlin") }
    }

    @Test
    fun `every name of the Kotlin column exists`() {
        val operations = names("operations")
        val types = names("types")
        assertTrue(operations.size > 50 && types.size > 20, "surface.json lists too few names")
        // The check itself can fail: names that do not exist are reported as missing.
        assertEquals(listOf("noSuchFunction", "NoSuchType", "Engine.noSuchOperation", "NoSuchType.close"),
            listOf("noSuchFunction", "NoSuchType", "Engine.noSuchOperation", "NoSuchType.close").filterNot(::exists))
        val missing = (operations + types).filterNot(::exists)
        assertTrue(missing.isEmpty(), "missing from the Kotlin binding (surface.json, column kotlin): ${missing.joinToString()}")
    }

    private fun values(key: String): List<String> = surface.getJSONArray(key).let { a: JSONArray -> (0 until a.length()).map(a::getString) }

    @Test
    fun `the typed enums have the core's values, in its order`() {
        assertEquals(values("document_statuses"), DocumentStatus.entries.map { it.name.lowercase() })
        assertEquals(values("clear_outcomes"), ClearOutcome.entries.map { it.name.lowercase() })
        assertEquals(values("api_outcomes"), ApiOutcome.entries.map { it.name.lowercase() })
        assertEquals(values("event_kinds"), EventKind.entries.map { it.name.lowercase() })
        assertEquals(values("error_codes"), errorCodes())
    }
}
