// Hand-written companions of the generated bindings: conversions only, no behaviour.
package sa.qayd

/**
 * The document of an [Engine.issueMany] entry, or the [QaydException] that refused it, thrown:
 * `engine.issueMany(egs, models).map { it.getOrThrow() }` when any refusal should stop the caller.
 */
fun IssueResult.getOrThrow(): Document = when (this) {
    is IssueResult.Issued -> document
    is IssueResult.Refused -> throw error
}

/** The document of an [Engine.issueMany] entry, or null when it was refused. */
fun IssueResult.getOrNull(): Document? = (this as? IssueResult.Issued)?.document
