// Hand-written companions of the generated bindings: conversions only, no behaviour.
package sa.qayd

/**
 * An [OnboardingProgress] from a lambda: `onboard(identity, otp, env, progress = onboardingProgress
 * { step, index, total -> println("$index/$total $step") })`. It is called on a runtime thread.
 */
fun onboardingProgress(onStep: (step: String, index: UInt, total: UInt) -> Unit): OnboardingProgress =
    object : OnboardingProgress {
        override fun onStep(step: String, index: UInt, total: UInt) = onStep(step, index, total)
    }
