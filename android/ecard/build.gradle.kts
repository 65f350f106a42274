// The ecard library module (AAR): the Rust core as libecard_ffi.so for each
// ABI, the Kotlin bindings generated from it at build time (not checked in),
// the Android Keystore implementation of the key-store trait, a logcat sink
// and the plain-Kotlin screen models.
import java.io.File

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

val repoRoot: File = rootProject.projectDir.parentFile
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")
val rustJniLibs = layout.buildDirectory.dir("rust/jniLibs")

android {
    namespace = "cn.ecard"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].java.srcDir(generatedKotlin)
    sourceSets["main"].jniLibs.srcDir(rustJniLibs)
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    testOptions {
        unitTests.all { test ->
            // The JVM unit tests load the host build of the library and talk to
            // a platform; scripts/test-kotlin.sh is the canonical runner and
            // sets these, Gradle passes them through when given as -P.
            test.useJUnitPlatform()
            test.systemProperty("jna.library.path", File(repoRoot, "target/debug").path)
            listOf("ecard.platform", "ecard.adminToken", "ecard.cli", "ecard.workDir").forEach { name ->
                project.findProperty(name)?.let { test.systemProperty(name, it) }
            }
        }
    }
}

// Kotlin sources from the library's metadata, with the pinned uniffi-bindgen.
val generateBindings by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine("bash", "android/build-rust.sh", "bindings", generatedKotlin.get().asFile.path)
    outputs.dir(generatedKotlin)
    inputs.files(fileTree(File(repoRoot, "bindings/uniffi/src")), fileTree(File(repoRoot, "core/src")))
}

// libecard_ffi.so per ABI with cargo-ndk (needs the NDK; see build-rust.sh).
val buildRustLibraries by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine("bash", "android/build-rust.sh", "jniLibs", rustJniLibs.get().asFile.path)
    outputs.dir(rustJniLibs)
    inputs.files(fileTree(File(repoRoot, "bindings/uniffi/src")), fileTree(File(repoRoot, "core/src")))
}

tasks.named("preBuild") { dependsOn(generateBindings, buildRustLibraries) }

kotlin {
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) }
}

dependencies {
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
    testImplementation("net.java.dev.jna:jna:5.13.0")
    testImplementation(kotlin("test-junit5"))
    testImplementation("org.junit.jupiter:junit-jupiter:5.10.3")
}
