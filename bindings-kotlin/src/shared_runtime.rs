//! Runtime plumbing for the `suspend fun`s: every async call runs on the core's one shared tokio
//! runtime (`qayd::embed::runtime`), the same one the background worker uses, and Kotlin only
//! awaits its completion. reqwest, timers and the worker therefore live on one runtime whatever
//! thread the coroutine resumes on, and no second runtime (UniFFI's `async_runtime = "tokio"`
//! would add async-compat's own) is started.

use crate::{QaydError, Result};
use std::future::Future;

/// Runs `future` on the shared runtime and awaits its result. A coroutine cancelled in Kotlin
/// stops waiting, but the call itself runs to completion, so an in-flight submission is still
/// recorded (the engine's outbox depends on that).
pub(crate) async fn run<T, F>(future: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = qayd::Result<T>> + Send + 'static,
{
    let task = qayd::embed::runtime()?.spawn(future);
    match task.await {
        Ok(result) => Ok(result?),
        // Only a panic gets here: the one foreign code that runs inside is a progress listener.
        Err(e) => Err(QaydError::from(qayd::Error::InvalidInput(format!(
            "the call did not complete (did the progress listener throw?): {e}"
        )))),
    }
}
