// The Android library (AAR) of Qayd: the same generated Kotlin as the JVM jar
// (../generated, ../src/main/kotlin), with libqayd_uniffi.so built per ABI by cargo-ndk into
// src/main/jniLibs/<abi>/ (build.sh does both steps).
//
// Needs Gradle 9.1 or newer (the Android Gradle plugin 9.0 requires it), JDK 17, the Android SDK
// (compileSdk 36) and, for the native libraries, the Android NDK. None of those can be installed on
// this project's machines: see ../README.md ("Android") for what is and is not tested.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "qayd-android"
