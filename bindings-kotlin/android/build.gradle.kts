// sa.qayd:qayd-android, an AAR: classes.jar with the UniFFI bindings and jni/<abi>/libqayd_uniffi.so
// for arm64-v8a, armeabi-v7a and x86_64.
//
//   ./build.sh                          cargo-ndk (release, stripped) + gradle assembleRelease
//   gradle assembleRelease              build/outputs/aar/qayd-android-release.aar (after cargo-ndk)
//   gradle publishToMavenLocal          sa.qayd:qayd-android:VERSION with sources
//
// Kotlin is compiled by the Android Gradle plugin's built-in Kotlin support (AGP 9), so no
// kotlin-android plugin is applied.
plugins {
    id("com.android.library") version "9.0.0"
    `maven-publish`
}

val qaydVersion = "0.1.0" // the workspace version (Cargo.toml), as in ../pom.xml

group = "sa.qayd"
version = qaydVersion

android {
    namespace = "sa.qayd"
    compileSdk = 36

    defaultConfig {
        // JNA's AAR and the generated code's JNA cleaner fallback work from API 24.
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
        ndk {
            // What build.sh puts into src/main/jniLibs (cargo-ndk -t …).
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    sourceSets {
        getByName("main") {
            // The same sources as the JVM jar: UniFFI's generated Kotlin and the hand-written part.
            kotlin.srcDirs("../generated", "../src/main/kotlin")
            // src/main/jniLibs/<abi>/libqayd_uniffi.so (the default directory, written by build.sh).
            jniLibs.srcDirs("src/main/jniLibs")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildTypes {
        getByName("release") {
            // A library is not minified itself; consumer-rules.pro keeps JNA and sa.qayd in apps.
            isMinifyEnabled = false
        }
    }

    packaging {
        jniLibs {
            // cargo-ndk already stripped the libraries; keep the bytes as built.
            keepDebugSymbols += "**/libqayd_uniffi.so"
        }
    }

    publishing {
        singleVariant("release") {
            withSourcesJar()
        }
    }
}

dependencies {
    // UniFFI's generated code loads libqayd_uniffi.so through JNA. The @aar flavour carries JNA's
    // own libjnidispatch.so for every Android ABI (the plain jar only has desktop ones).
    api("net.java.dev.jna:jna:5.19.1@aar")
    // The generated `suspend fun`s (onboard, renew, ApiClient, Engine.clear/drain/stop).
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")
}

publishing {
    publications {
        register<MavenPublication>("release") {
            groupId = "sa.qayd"
            artifactId = "qayd-android"
            version = qaydVersion
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("Qayd for Android")
                description.set(
                    "ZATCA Phase 2 (Fatoora) e-invoicing engine for Saudi Arabia, for Android: invoice hash, " +
                        "XAdES stamp, QR, verify, validation, onboarding, Fatoora API client, durable engine.",
                )
                url.set("https://example.invalid/qayd")
                licenses {
                    license {
                        name.set("Apache-2.0")
                        url.set("https://www.apache.org/licenses/LICENSE-2.0.txt")
                    }
                    license {
                        name.set("MIT")
                        url.set("https://opensource.org/licenses/MIT")
                    }
                }
                developers {
                    developer {
                        id.set("qayd")
                        name.set("Qayd maintainers")
                    }
                }
                scm {
                    connection.set("scm:git:https://example.invalid/qayd.git")
                    developerConnection.set("scm:git:https://example.invalid/qayd.git")
                    url.set("https://example.invalid/qayd")
                }
            }
        }
    }
}
