// Hand-written companions of the generated bindings: conversions only, no behaviour.
package sa.qayd

/**
 * An [OnboardingProgress] from a lambda: `onboard(identity, otp, env, progress = onboardingProgress
 * { p -> println("${p.index}/${p.total} ${p.step}") })`. It is called on a runtime thread.
 */
fun onboardingProgress(onStep: (progress: Progress) -> Unit): OnboardingProgress =
    object : OnboardingProgress {
        override fun onStep(progress: Progress) = onStep(progress)
    }
